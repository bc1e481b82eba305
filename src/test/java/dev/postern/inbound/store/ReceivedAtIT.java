package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * V006: received_at is unique per mailbox and ascends with the change seq, which is what makes
 * the inbox list's ISO cursor skip nothing and repeat nothing.
 */
class ReceivedAtIT {

  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture(12);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static NewMessage at(UUID box, UUID raw, Instant receivedAt, int i) {
    return new NewMessage(box, "inbox", raw, UUID.randomUUID(), receivedAt, 10, false, false,
        "r@example.com", null, "<m" + i + "@x>", null, List.of(), null, "s@x", List.of(),
        List.of(), "s " + i, null, null, null, null, List.of(), Set.of());
  }

  @Test
  void aThousandMessagesFiledConcurrentlyInOneInstantGetDistinctAscendingTimes() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    Instant second = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<Future<FiledMessage>> files = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      files.add(f.store.file(at(box, raw, second, i)));
    }
    Future.all(files).await();

    List<Instant> reported = files.stream().map(m -> m.result().receivedAt()).toList();
    assertThat(reported).doesNotHaveDuplicates().allMatch(t -> !t.isBefore(second));
    assertThat(f.count("SELECT count(DISTINCT received_at) FROM mail_messages WHERE mailbox_id = $1", box))
        .isEqualTo(1000L);
    // Commit order (the seq) is time order: the first filed has the instant itself, each next 1 µs more.
    List<Instant> bySeq = new ArrayList<>();
    for (Row r : f.pool.preparedQuery("SELECT received_at FROM mail_messages WHERE mailbox_id = $1 ORDER BY modseq")
        .execute(Tuple.of(box)).await()) {
      bySeq.add(r.getOffsetDateTime(0).toInstant());
    }
    assertThat(bySeq).isSorted().doesNotHaveDuplicates();
    assertThat(bySeq.get(0)).isEqualTo(second);
    assertThat(bySeq.get(999)).isEqualTo(second.plus(999, ChronoUnit.MICROS));
    assertThat(f.count("SELECT count(*) FROM mailboxes WHERE id = $1 AND last_received_at = $2", box,
        bySeq.get(999).atOffset(java.time.ZoneOffset.UTC))).isEqualTo(1L);
  }

  @Test
  void aLateFilingOfAnEarlierReceiptNeverLandsBehindWhatWasAlreadyListed() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    FiledMessage newer = f.store.file(at(box, raw, now, 1)).await();
    FiledMessage older = f.store.file(at(box, raw, now.minusSeconds(3600), 2)).await();
    assertThat(newer.receivedAt()).isEqualTo(now);
    assertThat(older.receivedAt()).isEqualTo(now.plus(1, ChronoUnit.MICROS));
    // A later receipt keeps its own time; other mailboxes are independent.
    FiledMessage later = f.store.file(at(box, raw, now.plusSeconds(5), 3)).await();
    assertThat(later.receivedAt()).isEqualTo(now.plusSeconds(5));
    UUID elsewhere = f.mailbox();
    assertThat(f.store.file(at(elsewhere, raw, now, 4)).await().receivedAt()).isEqualTo(now);
  }

  @Test
  void aDeliveryFiledAgainReportsItsStoredTime() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    f.store.file(at(box, raw, now, 1)).await();
    NewMessage second = at(box, raw, now, 2);
    FiledMessage first = f.store.file(second).await();
    FiledMessage again = f.store.file(second).await();
    assertThat(again.alreadyFiled()).isTrue();
    assertThat(again.receivedAt()).isEqualTo(first.receivedAt()).isEqualTo(now.plus(1, ChronoUnit.MICROS));
  }
}
