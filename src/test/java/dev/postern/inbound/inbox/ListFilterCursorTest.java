package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@code before}: the API's own cursors read by hand, anything else by the general parser. */
class ListFilterCursorTest {

  @Test
  void cursorsReadAsTheGeneralParserReadsThem() {
    SplittableRandom random = new SplittableRandom(11);
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextLong(0, max), random.nextInt(1_000_000) * 1_000);
      String cursor = dev.postern.http.InboxJson.time(t);
      assertThat(ListFilter.instant(cursor)).isEqualTo(OffsetDateTime.parse(cursor).toInstant());
    }
  }

  @Test
  void otherShapesGoToTheGeneralParser() {
    assertThat(ListFilter.instant("2026-12-02T16:20:00+01:00")).isEqualTo(Instant.parse("2026-12-02T15:20:00Z"));
    assertThat(ListFilter.instant("2026-12-02T16:20:00.123456 01:00")) // '+' decoded as a space
        .isEqualTo(Instant.parse("2026-12-02T15:20:00.123456Z"));
    assertThat(ListFilter.instant(" 2026-12-02T16:20:00.123456Z ")).isEqualTo(Instant.parse("2026-12-02T16:20:00.123456Z"));
  }

  @Test
  void cursorShapedNonsenseIsRefusedAsBefore() {
    for (String bad : new String[] {"2026-13-02T16:20:00.123456Z", "2026-02-30T16:20:00.123456Z",
        "2026-12-02T24:20:00.123456Z", "2026-12-0xT16:20:00.123456Z", "-026-12-02T16:20:00.123456Z"}) {
      assertThatThrownBy(() -> ListFilter.instant(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
    }
  }
}
