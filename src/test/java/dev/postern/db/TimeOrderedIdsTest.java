package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

  @Test
  void carriesVersion7TheRfcVariantAndTheMillisecond() {
    long millis = 0x0190_1234_5678L;
    UUID id = TimeOrderedIds.at(millis);
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
    assertThat(id.toString()).startsWith("01901234-5678-7");
  }

  @Test
  void idsOfLaterMillisecondsSortAfterInPostgresByteOrder() {
    // PostgreSQL compares uuids as 16 unsigned bytes: the order of their lower-case hex text.
    String previous = TimeOrderedIds.at(1_700_000_000_000L).toString();
    for (long ms = 1_700_000_000_001L; ms < 1_700_000_001_000L; ms++) {
      String next = TimeOrderedIds.at(ms).toString();
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
  }

  @Test
  void idsOfOneMillisecondAreDistinct() {
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      seen.add(TimeOrderedIds.at(1_700_000_000_000L));
    }
    assertThat(seen).hasSize(100_000);
  }
}
