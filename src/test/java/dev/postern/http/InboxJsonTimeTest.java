package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written micro-second formatter writes what the pattern formatter wrote. */
class InboxJsonTimeTest {

  private static final DateTimeFormatter PATTERN =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatsAsThePatternDoesAcrossTheRange() {
    SplittableRandom random = new SplittableRandom(7);
    long max = Instant.parse("9999-12-31T23:59:59.999999999Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(0, max), random.nextInt(1_000_000_000));
      assertThat(InboxJson.time(t)).isEqualTo(PATTERN.format(t));
    }
    for (String edge : new String[] {"1970-01-01T00:00:00Z", "2026-12-02T16:20:00.000001Z",
        "0001-01-01T00:00:00.999999Z", "2000-02-29T23:59:59.123456789Z"}) {
      Instant t = Instant.parse(edge);
      assertThat(InboxJson.time(t)).isEqualTo(PATTERN.format(t));
    }
    assertThat(InboxJson.time(null)).isNull();
  }

  @Test
  void yearsBeyondFourDigitsFallBackToThePattern() {
    Instant far = Instant.parse("+12026-01-01T00:00:00Z");
    assertThat(InboxJson.time(far)).isEqualTo(PATTERN.format(far));
  }
}
