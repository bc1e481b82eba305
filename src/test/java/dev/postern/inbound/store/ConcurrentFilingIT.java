package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * V005's gap-free argument, tested: many concurrent filers into one mailbox, and a reader that
 * polls {@code changesSince(last seen)} meanwhile. Commits are ordered by seq, so every read
 * continues exactly where the previous one stopped: a reader never sees seq n+1 before n.
 */
class ConcurrentFilingIT {

  private static final int MESSAGES = 300;
  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture(12);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void concurrentFilersGiveAGapFreeCommitOrderedChangeSequence() throws Exception {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    AtomicBoolean filing = new AtomicBoolean(true);
    List<Long> seen = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      long last = 0;
      while (filing.get() || last < MESSAGES) {
        List<MailChange> batch = f.store.changesSince(box, last, 50).await();
        for (MailChange c : batch) {
          if (c.seq() != last + 1) {
            gaps.add("after " + last + " read " + c.seq());
          }
          last = c.seq();
          seen.add(c.seq());
        }
      }
    });
    List<Future<FiledMessage>> files = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      // Threaded too: every tenth message starts a conversation the next nine reply to.
      String conversation = "<t" + (i / 10) + "@x>";
      NewMessage m = new NewMessage(box, i % 3 == 0 ? "archive" : "inbox", raw, UUID.randomUUID(),
          Instant.now(), 10, false, false, "r@example.com", null, "<m" + i + "@x>",
          i % 10 == 0 ? null : conversation, i % 10 == 0 ? List.of() : List.of(conversation),
          null, "s@x", List.of(), List.of(), "s", null, null, null, null, List.of(), Set.of());
      files.add(f.store.file(i % 10 == 0 ? withId(m, conversation) : m));
    }
    Future.all(files).await();
    filing.set(false);
    reader.get(60, TimeUnit.SECONDS);

    assertThat(gaps).isEmpty();
    assertThat(seen).hasSize(MESSAGES).isSorted().doesNotHaveDuplicates();
    List<FiledMessage> filed = files.stream().map(Future::result).toList();
    assertThat(filed.stream().filter(m -> m.folder().equals("inbox")).map(FiledMessage::uid))
        .doesNotHaveDuplicates().hasSize(MESSAGES - MESSAGES / 3)
        .allMatch(uid -> uid >= 1 && uid <= MESSAGES - MESSAGES / 3);
    assertThat(f.count("SELECT count(DISTINCT thread_id) FROM mail_messages WHERE mailbox_id = $1", box))
        .isEqualTo(MESSAGES / 10L);
    assertThat(f.count("SELECT max(message_count) FROM mail_threads WHERE mailbox_id = $1", box)).isEqualTo(10L);
  }

  private static NewMessage withId(NewMessage m, String id) {
    return new NewMessage(m.mailboxId(), m.folder(), m.rawId(), m.deliveryId(), m.receivedAt(),
        m.sizeBytes(), false, false, m.recipient(), null, id, null, List.of(), null,
        m.fromAddress(), List.of(), List.of(), m.subject(), null, null, null, null, List.of(), Set.of());
  }
}
