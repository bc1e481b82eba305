package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JWZ threading over mail_thread_refs, within a mailbox, on real PostgreSQL. */
class ThreadingIT {

  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture(2);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** Message n of a reply chain: In-Reply-To n-1, References 1..n-1 (RFC 5322 §3.6.4). */
  private FiledMessage chain(UUID box, String prefix, int n, boolean withReferences) {
    List<String> refs = new ArrayList<>();
    for (int i = 1; i < n && withReferences; i++) {
      refs.add("<" + prefix + i + "@x>");
    }
    return f.store.file(f.message(box, "<" + prefix + n + "@x>",
        n == 1 ? null : "<" + prefix + (n - 1) + "@x>", refs, n == 1 ? "Plans" : "Re: Re: Plans")).await();
  }

  @Test
  void aFiveMessageReplyChainIsOneThreadInArrivalOrder() {
    UUID box = f.mailbox();
    List<FiledMessage> filed = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      filed.add(chain(box, "c", n, true));
    }
    assertThat(filed).extracting(FiledMessage::threadId).containsOnly(filed.get(0).threadId());
    assertThat(filed).extracting(FiledMessage::threadPosition).containsExactly(1, 2, 3, 4, 5);
    Row thread = thread(filed.get(0).threadId());
    assertThat(thread.getInteger("message_count")).isEqualTo(5);
    assertThat(thread.getString("subject")).isEqualTo("Plans");
  }

  @Test
  void childrenArrivingBeforeTheirParentsStillFormOneThread() {
    UUID box = f.mailbox();
    // In-Reply-To only, in the order 3, 1, 5, 2, 4: three threads form, then merge as the
    // missing links arrive (2 links {1} and {2,3}; 4 links {4,5} and the rest).
    Map<Integer, FiledMessage> filed = new LinkedHashMap<>();
    for (int n : new int[] {3, 1, 5, 2, 4}) {
      filed.put(n, chain(box, "o", n, false));
    }
    assertThat(filed.get(1).threadId()).isNotEqualTo(filed.get(3).threadId());
    UUID last = filed.get(4).threadId();
    assertThat(threadsOf(box)).containsOnly(last);
    assertThat(f.count("SELECT count(*) FROM mail_threads WHERE mailbox_id = $1", box)).isEqualTo(1L);
    assertThat(thread(last).getInteger("message_count")).isEqualTo(5);
    assertThat(positionsByArrival(last)).containsExactly(1, 2, 3, 4, 5);
    assertThat(f.count("SELECT count(*) FROM mail_thread_refs WHERE mailbox_id = $1 AND thread_id <> $2",
        box, last)).isZero();
  }

  @Test
  void aMessageReferencingTwoThreadsMergesThem() {
    UUID box = f.mailbox();
    FiledMessage a1 = chain(box, "a", 1, true);
    FiledMessage a2 = chain(box, "a", 2, true);
    FiledMessage b1 = chain(box, "b", 1, true);
    assertThat(a1.threadId()).isEqualTo(a2.threadId()).isNotEqualTo(b1.threadId());
    FiledMessage both = f.store.file(f.message(box, "<m@x>", "<b1@x>", List.of("<a2@x>", "<b1@x>"),
        "Re: both")).await();
    assertThat(both.threadId()).as("merged into the larger").isEqualTo(a1.threadId());
    assertThat(both.threadPosition()).isEqualTo(4);
    assertThat(threadsOf(box)).containsOnly(a1.threadId());
    assertThat(f.count("SELECT count(*) FROM mail_threads WHERE id = $1", b1.threadId())).isZero();
    assertThat(thread(a1.threadId()).getInteger("message_count")).isEqualTo(4);
    // A later reply to b1 alone finds the merged conversation.
    assertThat(f.store.file(f.message(box, "<late@x>", "<b1@x>", List.of(), "Re: b")).await().threadId())
        .isEqualTo(a1.threadId());
  }

  @Test
  void messagesWithoutReferencesAreNeverThreadedBySubject() {
    UUID box = f.mailbox();
    FiledMessage one = f.store.file(f.message(box, "<h1@x>", null, List.of(), "Hello")).await();
    FiledMessage two = f.store.file(f.message(box, "<h2@x>", null, List.of(), "Hello")).await();
    FiledMessage none = f.store.file(f.message(box, null, null, List.of(), "Re: Hello")).await();
    assertThat(List.of(one.threadId(), two.threadId(), none.threadId())).doesNotHaveDuplicates();
  }

  @Test
  void threadsDoNotCrossMailboxes() {
    UUID mine = f.mailbox();
    UUID theirs = f.mailbox();
    FiledMessage parent = f.store.file(f.message(mine, "<p@x>", null, List.of(), "P")).await();
    FiledMessage reply = f.store.file(f.message(theirs, "<r@x>", "<p@x>", List.of("<p@x>"), "Re: P")).await();
    assertThat(reply.threadId()).isNotEqualTo(parent.threadId());
    assertThat(reply.threadPosition()).isEqualTo(1);
  }

  private Row thread(UUID id) {
    return f.pool.preparedQuery("SELECT * FROM mail_threads WHERE id = $1").execute(Tuple.of(id))
        .await().iterator().next();
  }

  private List<UUID> threadsOf(UUID box) {
    List<UUID> ids = new ArrayList<>();
    f.pool.preparedQuery("SELECT thread_id FROM mail_messages WHERE mailbox_id = $1")
        .execute(Tuple.of(box)).await().forEach(r -> ids.add(r.getUUID(0)));
    return ids;
  }

  private List<Integer> positionsByArrival(UUID thread) {
    List<Integer> out = new ArrayList<>();
    f.pool.preparedQuery("SELECT thread_position FROM mail_messages WHERE thread_id = $1 ORDER BY received_at, id")
        .execute(Tuple.of(thread)).await().forEach(r -> out.add(r.getInteger(0)));
    return out;
  }
}
