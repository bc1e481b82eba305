package dev.postern.bench;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/** Parses the human units the bench options take ("2KB", "200KB", "10s", "500ms"). */
final class BenchUnits {

  private BenchUnits() {}

  /** Sizes are binary multiples (1KB = 1024 bytes), the way the scenarios are named. */
  static long parseBytes(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
    long multiplier = 1;
    if (s.endsWith("KB")) {
      multiplier = 1024;
    } else if (s.endsWith("MB")) {
      multiplier = 1024 * 1024;
    }
    String digits = s.replaceAll("[KMB]+$", "");
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("not a size: " + text);
    }
    return Long.parseLong(digits) * multiplier;
  }

  /** A bare number is seconds; "ms", "s" and "m" suffixes are accepted. */
  static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
    }
    if (s.endsWith("m")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
  }

  /** "61 200": thousands grouped with a space, as the ratio line prints them. */
  static String grouped(double value) {
    return String.format(Locale.ROOT, "%,d", Math.round(value)).replace(',', ' ');
  }

  static final class Bytes implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return parseBytes(value);
    }
  }

  static final class Time implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parseDuration(value);
    }
  }
}
