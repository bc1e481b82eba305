package dev.postern.inbound.filing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.store.MailChangeEvents;
import dev.postern.inbound.store.MailStore;
import dev.postern.inbound.store.NewMessage;
import dev.postern.support.Eventually;
import dev.postern.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13 "filing keeps up with accept": the deliveries of one busy mailbox are filed in
 * groups (one transaction each), with every per-message guarantee kept — gap-free seqs,
 * ascending UIDs, replies threaded with a parent of the same group, exactly one message and one
 * {@code email.received} (recorded in the filing transaction) per delivery, a refused delivery
 * failing alone, and nothing lost when a node dies with deliveries in hand.
 */
class GroupedFilingIT {

  static final Duration WAIT = Duration.ofSeconds(60);
  static TestGateway gateway;
  static Pool pool;

  @BeforeAll
  static void start() {
    gateway = FilingGateway.start();
    pool = gateway.core().database().pool();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static UUID mailbox() {
    return FilingGateway.mailbox(gateway, "grp-");
  }

  static long count(String sql, Object... args) {
    return pool.preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
  }

  static String mime(int i, String inReplyTo) {
    return String.join("\r\n", "From: s@example.net", "To: bot@example.com", "Subject: m" + i,
        "Message-ID: <b" + i + "@x>", inReplyTo == null ? "X-Root: yes" : "In-Reply-To: " + inReplyTo,
        "", "Body " + i + ".", "");
  }

  /** Raws and their deliveries (with optional lease columns), all in one commit, then NOTIFY. */
  static List<UUID> commit(UUID box, List<String> mimes, List<String> folders, String leaseOwner) {
    List<UUID> deliveries = new ArrayList<>();
    pool.withTransaction(c -> {
      io.vertx.core.Future<?> chain = io.vertx.core.Future.succeededFuture();
      for (int i = 0; i < mimes.size(); i++) {
        UUID raw = UUID.randomUUID();
        UUID delivery = UUID.randomUUID();
        deliveries.add(delivery);
        byte[] bytes = mimes.get(i).getBytes(StandardCharsets.UTF_8);
        String folder = folders.get(i);
        chain = chain.compose(v -> c.preparedQuery("""
                INSERT INTO inbound_raw (id, source, encrypted, mime_inline, mime_size)
                VALUES ($1, 'mx', false, $2, $3)""")
            .execute(Tuple.of(raw, Buffer.buffer(bytes), (long) bytes.length)))
            .compose(v -> c.preparedQuery("""
                INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient, folder, attempts,
                                                lease_owner, lease_until)
                VALUES ($1, $2, $3, 'bot@example.com', $4, CASE WHEN $5::text IS NULL THEN 0 ELSE 1 END,
                        $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() + interval '1 second' END)""")
                .execute(Tuple.of(delivery, raw, box, folder, leaseOwner)));
      }
      return chain;
    }).await();
    pool.query("SELECT pg_notify('postern_inbound', '')").execute().await();
    return deliveries;
  }

  static void awaitSettled(List<UUID> deliveries) {
    Eventually.until(WAIT, () -> count("""
            SELECT count(*) FROM inbound_deliveries WHERE id = ANY($1) AND state <> 'pending'""",
            (Object) deliveries.toArray(UUID[]::new)) == deliveries.size(),
        () -> "deliveries settled: " + count("""
            SELECT count(*) FROM inbound_deliveries WHERE id = ANY($1) AND state <> 'pending'""",
            (Object) deliveries.toArray(UUID[]::new)) + "/" + deliveries.size());
  }

  @Test
  void aBurstIntoOneMailboxIsFiledInGroupsThreadedGapFreeWithItsEventsInTheSameCommits() {
    UUID box = mailbox();
    int n = 150;
    List<String> mimes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      mimes.add(mime(i, i % 5 == 0 ? null : "<b" + (i - i % 5) + "@x>"));
    }
    List<UUID> deliveries = commit(box, mimes, java.util.Collections.nCopies(n, "inbox"), null);
    awaitSettled(deliveries);

    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE id = ANY($1) AND state = 'filed'",
        (Object) deliveries.toArray(UUID[]::new))).isEqualTo(n);
    assertThat(count("SELECT count(*) FROM mail_messages WHERE mailbox_id = $1", box)).isEqualTo(n);
    assertThat(count("SELECT change_seq FROM mailboxes WHERE id = $1", box)).isEqualTo(n);
    assertThat(count("SELECT count(DISTINCT seq) FROM mail_changes WHERE mailbox_id = $1", box)).isEqualTo(n);
    assertThat(count("SELECT count(DISTINCT uid) FROM mail_messages WHERE mailbox_id = $1 AND uid BETWEEN 1 AND $2",
        box, (long) n)).isEqualTo(n);
    // UIDs and received_at ascend with the seq.
    assertThat(count("""
        SELECT count(*) FROM (SELECT uid, received_at, lag(uid) OVER w AS pu, lag(received_at) OVER w AS pr
                                FROM mail_messages WHERE mailbox_id = $1 WINDOW w AS (ORDER BY modseq)) s
         WHERE pu IS NOT NULL AND (uid <= pu OR received_at <= pr)""", box)).isZero();
    // Grouped: far fewer filing transactions than messages.
    long transactions = count("SELECT count(DISTINCT xmin::text) FROM mail_messages WHERE mailbox_id = $1", box);
    assertThat(transactions).isLessThan(n / 2);
    // Every reply is in its root's thread, even when both were filed in one group, numbered by arrival.
    assertThat(count("SELECT count(DISTINCT thread_id) FROM mail_messages WHERE mailbox_id = $1", box))
        .isEqualTo(n / 5);
    assertThat(count("""
        SELECT count(*) FROM mail_messages r JOIN mail_messages p
            ON p.mailbox_id = r.mailbox_id AND p.message_id_header = r.in_reply_to
         WHERE r.mailbox_id = $1 AND r.thread_id = p.thread_id""", box)).isEqualTo(n - n / 5);
    assertThat(count("""
        SELECT count(*) FROM (SELECT thread_position, row_number() OVER (PARTITION BY thread_id
                                ORDER BY received_at, id) AS pos FROM mail_messages WHERE mailbox_id = $1) s
         WHERE thread_position = pos""", box)).isEqualTo(n);
    // One email.received per message, committed by the transaction that filed it: now() is the
    // transaction's start time, so the event's created_at is its message's change's occurred_at
    // (xmin would not do: the dispatcher updates the rows as it tries to deliver them).
    assertThat(count("""
        SELECT count(*) FROM webhook_deliveries w JOIN mail_changes c
            ON c.message_id = (w.payload->'data'->>'email_id')::uuid AND c.kind = 'new'
         WHERE c.mailbox_id = $1 AND w.event_type = 'email.received' AND w.created_at = c.occurred_at""", box))
        .isEqualTo(n);
  }

  @Test
  void deliveriesADeadNodeHadInHandAreFiledOnceAfterTheLeaseWithOneItHadCommitted() {
    UUID box = mailbox();
    List<String> mimes = new ArrayList<>();
    for (int i = 1000; i < 1020; i++) {
      mimes.add(mime(i, null));
    }
    // The dead node parsed these, then died before its group committed (their leases run out) …
    List<UUID> held = commit(box, mimes, java.util.Collections.nCopies(20, "inbox"), "dead-node");
    // … except one, whose group it had committed before the delivery row could say so.
    UUID raw = pool.preparedQuery("SELECT raw_id FROM inbound_deliveries WHERE id = $1")
        .execute(Tuple.of(held.get(7))).await().iterator().next().getUUID(0);
    MailStore store = new MailStore(pool, gateway.core().blobs(), new MailChangeEvents(gateway.vertx(), pool, 5));
    UUID earlier = store.file(new NewMessage(box, "inbox", raw, held.get(7), Instant.now(), 10, false, false,
        "bot@example.com", null, "b1007@x", null, List.of(), null, "s@example.net", List.of(), List.of(),
        "m1007", null, null, "Body.", null, List.of(), Set.of())).await().id();
    List<UUID> fresh = new ArrayList<>();
    for (int i = 1020; i < 1030; i++) {
      fresh.addAll(commit(box, List.of(mime(i, null)), List.of("inbox"), null));
    }
    List<UUID> all = new ArrayList<>(held);
    all.addAll(fresh);
    awaitSettled(all);

    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE id = ANY($1) AND state = 'filed'",
        (Object) all.toArray(UUID[]::new))).isEqualTo(30L);
    assertThat(count("SELECT count(*) FROM mail_messages WHERE mailbox_id = $1", box)).isEqualTo(30L);
    assertThat(count("""
        SELECT count(*) FROM inbound_deliveries d JOIN mail_messages m ON m.id = d.message_id AND m.delivery_id = d.id
         WHERE d.id = ANY($1)""", (Object) all.toArray(UUID[]::new))).isEqualTo(30L);
    assertThat(pool.preparedQuery("SELECT message_id FROM inbound_deliveries WHERE id = $1")
        .execute(Tuple.of(held.get(7))).await().iterator().next().getUUID(0)).isEqualTo(earlier);
    assertThat(count("SELECT change_seq FROM mailboxes WHERE id = $1", box)).isEqualTo(30L);
    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE id = ANY($1) AND attempts = 2",
        (Object) held.toArray(UUID[]::new))).isEqualTo(20L);
    // The message filed before is not announced again: one event for each of the other 29.
    assertThat(count("""
        SELECT count(*) FROM webhook_deliveries w JOIN mail_messages m
            ON m.id = (w.payload->'data'->>'email_id')::uuid WHERE m.mailbox_id = $1""", box)).isEqualTo(29L);
  }

  @Test
  void aDeliveryTheStoreRefusesFailsAloneWhileTheRestOfItsMailboxIsFiled() {
    UUID box = mailbox();
    List<String> mimes = new ArrayList<>();
    List<String> folders = new ArrayList<>();
    for (int i = 2000; i < 2012; i++) {
      mimes.add(mime(i, i == 2000 ? null : "<b2000@x>"));
      folders.add(i == 2005 ? "bad\u0001folder" : "inbox");
    }
    List<UUID> deliveries = commit(box, mimes, folders, null);
    awaitSettled(deliveries);

    Row bad = pool.preparedQuery("SELECT state, attempts, last_error FROM inbound_deliveries WHERE id = $1")
        .execute(Tuple.of(deliveries.get(5))).await().iterator().next();
    assertThat(bad.getString("state")).isEqualTo("failed");
    assertThat(bad.getInteger("attempts")).isEqualTo(2);
    assertThat(bad.getString("last_error")).contains("folder");
    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE id = ANY($1) AND state = 'filed'",
        (Object) deliveries.toArray(UUID[]::new))).isEqualTo(11L);
    assertThat(count("SELECT count(*) FROM mail_messages WHERE mailbox_id = $1", box)).isEqualTo(11L);
    assertThat(count("SELECT count(DISTINCT thread_id) FROM mail_messages WHERE mailbox_id = $1", box)).isEqualTo(1L);
    assertThat(count("SELECT change_seq FROM mailboxes WHERE id = $1", box)).isEqualTo(11L);
  }
}
