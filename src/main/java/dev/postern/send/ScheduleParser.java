package dev.postern.send;

import dev.postern.mail.InvalidValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code scheduled_at} (SPEC §3): ISO-8601 with an offset ({@code 2026-11-22T10:00:00Z},
 * {@code 2026-11-22T10:00:00.000+02:00}) or Resend's natural form {@code in 1 min},
 * {@code in 2 hours}, {@code in 3 days} (case-insensitive; units sec/min/hr/day in their usual
 * short, singular and plural spellings; {@code a}/{@code an} means 1).
 *
 * <p>Limits: at most {@link #MAX_AHEAD} (30 days) after now; Resend allows 72 h on its free plan,
 * a self-hosted gateway can keep mail longer, and a month bounds how long a queued row lives.
 * A time at or before now means "send now" and yields empty. A local time without an offset is
 * refused: we will not guess the sender's time zone.
 */
public final class ScheduleParser {

  public static final Duration MAX_AHEAD = Duration.ofDays(30);
  private static final int MAX_LENGTH = 64;

  private static final Pattern NATURAL = Pattern.compile(
      "in\\s+(\\d{1,7}|an?)\\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)",
      Pattern.CASE_INSENSITIVE);

  private final Clock clock;

  public ScheduleParser(Clock clock) {
    this.clock = clock;
  }

  /**
   * The instant to send at, or empty for "now".
   *
   * @throws InvalidValue when the text is neither form or lies more than 30 days ahead
   */
  public Optional<Instant> parse(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty() || trimmed.length() > MAX_LENGTH) {
      throw new InvalidValue("must be an ISO-8601 date-time or a form like \"in 10 min\"");
    }
    Instant now = clock.instant();
    Instant at = trimmed.regionMatches(true, 0, "in", 0, 2) ? relative(trimmed, now) : absolute(trimmed);
    if (!at.isAfter(now)) {
      return Optional.empty();
    }
    if (at.isAfter(now.plus(MAX_AHEAD))) {
      throw new InvalidValue("must be at most " + MAX_AHEAD.toDays() + " days ahead");
    }
    return Optional.of(at);
  }

  private static Instant relative(String text, Instant now) {
    Matcher m = NATURAL.matcher(text);
    if (!m.matches()) {
      throw new InvalidValue("must be an ISO-8601 date-time or a form like \"in 10 min\"");
    }
    String count = m.group(1).toLowerCase(Locale.ROOT);
    long amount = count.startsWith("a") ? 1 : Long.parseLong(count);
    Duration unit = switch (Character.toLowerCase(m.group(2).charAt(0))) {
      case 's' -> Duration.ofSeconds(1);
      case 'm' -> Duration.ofMinutes(1);
      case 'h' -> Duration.ofHours(1);
      default -> Duration.ofDays(1);
    };
    return now.plus(unit.multipliedBy(amount));
  }

  private static Instant absolute(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidValue(
          "must be an ISO-8601 date-time with an offset (e.g. 2026-11-22T10:00:00Z) or \"in 10 min\"");
    }
  }
}
