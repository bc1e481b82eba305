package dev.postern.smtp;

import dev.postern.support.TestGateway;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a gateway's {@code /metrics} (Prometheus text format), read the way an operator's
 * dashboard reads it: a sample by name and labels, whatever order the labels are printed in.
 */
final class SmtpScrape {

  private static final Pattern SAMPLE =
      Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? ([-+0-9.eE]+|NaN)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  private final String text;

  private SmtpScrape(String text) {
    this.text = text;
  }

  static SmtpScrape of(TestGateway gateway) {
    var response = gateway.send("GET", "/metrics", null, Map.of());
    if (response.statusCode() != 200) {
      throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
    }
    return new SmtpScrape(response.body());
  }

  /**
   * The sum of every sample named {@code name} whose labels include all of {@code labels}
   * (pairs of name, value); 0 when there is none (a counter not yet incremented is absent).
   */
  double value(String name, String... labels) {
    double sum = 0;
    Matcher sample = SAMPLE.matcher(text);
    while (sample.find()) {
      if (sample.group(1).equals(name) && hasLabels(sample.group(2), labels)) {
        sum += Double.parseDouble(sample.group(3));
      }
    }
    return sum;
  }

  /** True when a sample named {@code name} is present at all. */
  boolean has(String name) {
    return Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(text).find();
  }

  String text() {
    return text;
  }

  private static boolean hasLabels(String printed, String[] wanted) {
    Map<String, String> present = new java.util.HashMap<>();
    if (printed != null) {
      Matcher label = LABEL.matcher(printed);
      while (label.find()) {
        present.put(label.group(1), label.group(2));
      }
    }
    for (int i = 0; i + 1 < wanted.length; i += 2) {
      if (!wanted[i + 1].equals(present.get(wanted[i]))) {
        return false;
      }
    }
    return true;
  }
}
