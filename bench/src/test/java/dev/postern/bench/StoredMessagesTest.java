package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoredMessagesTest {

  @Test
  void exactlyTheAcceptedCountStoredIsNoMismatch() {
    assertThat(new StoredMessages(500, 20_500).mismatch(20_000)).isNull();
    assertThat(new StoredMessages(500, 20_500).stored()).isEqualTo(20_000);
  }

  @Test
  void fewerStoredThanAcknowledgedSaysHowManyAreMissing() {
    assertThat(new StoredMessages(500, 20_490).mismatch(20_000))
        .isEqualTo("20000 messages were acknowledged but only 19990 stored (10 missing; count 500"
            + " before the run, 20490 after)");
  }

  @Test
  void moreStoredThanSentIsAMismatchToo() {
    assertThat(new StoredMessages(0, 20_001).mismatch(20_000))
        .isEqualTo("20000 messages were sent but 20001 stored (1 more; count 0 before the run,"
            + " 20001 after)");
  }

  @Test
  void aCountCommandPrintsOneNumber() {
    assertThat(StoredMessages.parseCount("20500\n")).isEqualTo(20_500);
    assertThat(StoredMessages.parseCount("  7 ")).isEqualTo(7);
    assertThat(StoredMessages.parseCount("0")).isZero();
    for (String bad : new String[] {"", "\n", "-1", "12 13", "12abc", "find: no such directory",
        "99999999999999999999"}) {
      assertThatThrownBy(() -> StoredMessages.parseCount(bad))
          .as("output %s", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must print one number");
    }
  }
}
