package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.mail.InvalidValue;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleParserTest {

  private static final Instant NOW = ComposedMail.NOW;
  private final ScheduleParser parser = new ScheduleParser(ComposedMail.CLOCK);

  @ParameterizedTest
  @CsvSource({
      "in 1 min, PT1M", "in 30 minutes, PT30M", "IN 2 Hours, PT2H", "in 1 day, P1D",
      "in 3 days, P3D", "in 1 hr, PT1H", "in 5 mins, PT5M", "in 10 sec, PT10S",
      "in an hour, PT1H", "in 45 seconds, PT45S", "in 2h, PT2H", "in 30 days, P30D"})
  void readsResendNaturalForms(String text, String duration) {
    assertThat(parser.parse(text)).contains(NOW.plus(Duration.parse(duration)));
  }

  @ParameterizedTest
  @CsvSource({
      "2026-11-22T12:00:00Z, 2026-11-22T12:00:00Z",
      "2026-11-22T12:00:00.000Z, 2026-11-22T12:00:00Z",
      "2026-11-22T14:30:00+02:00, 2026-11-22T12:30:00Z",
      "2026-12-01T00:00:00.5-05:00, 2026-12-01T05:00:00.5Z"})
  void readsIsoInstantsWithOffsets(String text, String expected) {
    assertThat(parser.parse(text)).contains(Instant.parse(expected));
  }

  @Test
  void pastOrPresentMeansSendNow() {
    assertThat(parser.parse("2020-01-01T00:00:00Z")).isEmpty();
    assertThat(parser.parse("2026-11-22T10:00:00Z")).isEmpty();
    assertThat(parser.parse("in 0 min")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"in 31 days", "2027-01-01T00:00:00Z", "in 999999 hours",
      "+999999999-12-31T23:59:59Z"})
  void refusesMoreThanThirtyDaysAhead(String text) {
    assertThatThrownBy(() -> parser.parse(text)).isInstanceOf(InvalidValue.class)
        .hasMessageContaining("30 days");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomorrow", "", "in", "in min", "in 1 month", "in -1 min",
      "2026-11-22T12:00:00", "2026-11-22", "in 1 min\r\nBcc: x@evil.example", "1 min",
      "in 99999999 days"})
  void refusesGarbage(String text) {
    assertThatThrownBy(() -> parser.parse(text)).isInstanceOf(InvalidValue.class);
  }
}
