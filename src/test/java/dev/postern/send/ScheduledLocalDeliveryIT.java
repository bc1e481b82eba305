package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13.8 for scheduled mail: routed when it is due, as live mail is at accept. With NO relay
 * configured ({@code bare}), a hosted recipient is filed into its inbox (the sender's copy into
 * its sent folder), an unknown hosted address bounces 550 5.1.1, a standard-tier copy is filed
 * from clear facts read from the stored MIME, and a second claim of a message already filed
 * (a crash between filing and settling) files nothing twice. With a relay ({@code relaying}), a
 * hosted and a remote recipient of one scheduled message: the first filed, the second relayed.
 * "Due" is the queue row's {@code due_at} moved to now, as the passing of the hour does.
 */
class ScheduledLocalDeliveryIT {

  static final Duration WAIT = Duration.ofSeconds(20);

  /** A gateway and the key of its mailbox alice@. */
  record Node(TestGateway gateway, Pool pool, String aliceKey, String bobKey) {}

  static GreenMailFixture relay;
  static Node bare;
  static Node relaying;

  @BeforeAll
  static void start() {
    JsonObject fast = new JsonObject().put("delivery", new JsonObject()
        .put("retry_base_ms", 200).put("retry_max_ms", 400).put("poll_interval_ms", 200));
    bare = node(TestGateway.start(Map.of(), fast), "sched.test");
    relay = GreenMailFixture.start();
    relaying = node(TestGateway.start(Map.of("POSTERN_RELAY_URL", relay.relayUrl()), fast),
        "mixsched.test");
  }

  @AfterAll
  static void stop() {
    try {
      for (Node n : new Node[] {bare, relaying}) {
        if (n != null) {
          n.gateway().close();
        }
      }
    } finally {
      if (relay != null) {
        relay.close();
      }
    }
  }

  static Node node(TestGateway gateway, String domain) {
    for (String local : List.of("alice", "bob", "sealed")) {
      HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes", new JsonObject()
          .put("address", local + "@" + domain).put("encryption_tier", "plaintext"));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }
    Pool pool = gateway.core().database().pool();
    // Standard tier: the key itself is not used by local delivery (nothing is encrypted here).
    pool.preparedQuery("UPDATE mailboxes SET encryption_tier = 'standard', pgp_public_key = 'unused'"
        + " WHERE address = $1").execute(Tuple.of("sealed@" + domain)).await();
    assertThat(gateway.admin("POST", "/admin/v1/webhooks", new JsonObject()
        .put("url", "https://hooks.example.com/sched")
        .put("events", new JsonArray().add("email.delivered").add("email.bounced"))).statusCode())
        .isEqualTo(201);
    return new Node(gateway, pool, key(gateway, "alice@" + domain), key(gateway, "bob@" + domain));
  }

  static String key(TestGateway gateway, String mailbox) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "k").put("mailbox", mailbox).put("scope", "full_access"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  /** Sends from alice@ for an hour from now; returns the id once it reads {@code scheduled}. */
  static UUID scheduled(Node n, String subject, String... to) {
    String from = "Alice <alice@" + (n == bare ? "sched.test" : "mixsched.test") + ">";
    HttpResponse<String> sent = n.gateway().withKey(n.aliceKey(), "POST", "/v1/emails",
        new JsonObject().put("from", from).put("to", new JsonArray(List.of((Object[]) to)))
            .put("subject", subject).put("text", "Hello " + subject)
            .put("scheduled_at", "in 1 hour"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    UUID id = UUID.fromString(new JsonObject(sent.body()).getString("id"));
    assertThat(email(n, id).getString("status")).isEqualTo("scheduled");
    assertThat(count(n, "SELECT count(*) FROM inbound_raw WHERE outbound_id = $1", id))
        .as("nothing filed before it is due").isZero();
    return id;
  }

  /** The hour has passed: the queue row is due now, and the workers are woken. */
  static void makeDue(Node n, UUID id) {
    n.pool().withTransaction(c -> c.preparedQuery(
            "UPDATE delivery_queue SET due_at = now() WHERE message_id = $1").execute(Tuple.of(id))
        .compose(v -> c.query("SELECT pg_notify('postern_queue', '')").execute())).await();
  }

  static JsonObject email(Node n, UUID id) {
    HttpResponse<String> got = n.gateway().withKey(n.aliceKey(), "GET", "/v1/emails/" + id, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    return new JsonObject(got.body());
  }

  static void awaitStatus(Node n, UUID id, String status) {
    Eventually.until(WAIT, () -> status.equals(email(n, id).getString("status")),
        () -> "status of " + id + ": " + email(n, id).encode());
  }

  static JsonObject recipient(JsonObject email, String address) {
    return email.getJsonArray("recipients").stream().map(JsonObject.class::cast)
        .filter(r -> address.equals(r.getString("address"))).findFirst().orElseThrow();
  }

  static List<JsonObject> listed(Node n, String key, String folder, String subject) {
    HttpResponse<String> page = n.gateway().withKey(key, "GET",
        "/v1/inbox/messages?folder=" + folder, null);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return new JsonObject(page.body()).getJsonArray("messages").stream()
        .map(JsonObject.class::cast).filter(m -> subject.equals(m.getString("subject"))).toList();
  }

  static JsonObject filed(Node n, String key, String folder, String subject) {
    Eventually.until(WAIT, () -> !listed(n, key, folder, subject).isEmpty(),
        () -> "'" + subject + "' in " + folder);
    return listed(n, key, folder, subject).get(0);
  }

  static long count(Node n, String sql, Object... args) {
    return n.pool().preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next()
        .getLong(0);
  }

  static long webhooks(Node n, String type, UUID id, String recipient) {
    return count(n, "SELECT count(*) FROM webhook_deliveries WHERE event_type = $1"
        + " AND payload->'data'->>'email_id' = $2 AND payload->'data'->>'recipient' = $3",
        type, id.toString(), recipient);
  }

  @Test
  void dueMailToAHostedMailboxIsFiledWithNoRelayAndReadsDelivered() {
    String subject = "Later " + UUID.randomUUID();
    UUID id = scheduled(bare, subject, "bob@sched.test");
    assertThat(count(bare, "SELECT count(*) FROM delivery_queue WHERE message_id = $1"
        + " AND due_at < 'infinity'", id)).as("waits for its time, not parked").isEqualTo(1);
    makeDue(bare, id);
    awaitStatus(bare, id, "delivered");

    JsonObject status = email(bare, id);
    JsonObject bob = recipient(status, "bob@sched.test");
    assertThat(bob.getString("status")).isEqualTo("delivered");
    assertThat(bob.getString("reply")).isEqualTo(LocalPlan.FILED);
    assertThat(status.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("type")))
        .containsExactly("scheduled", "delivered");
    assertThat(count(bare, "SELECT count(*) FROM delivery_queue WHERE message_id = $1", id))
        .as("finished: not parked, not retried").isZero();

    JsonObject inBob = filed(bare, bare.bobKey(), "inbox", subject);
    JsonObject inAliceSent = filed(bare, bare.aliceKey(), "sent", subject);
    assertThat(inBob.getString("message_id")).isEqualTo(inAliceSent.getString("message_id"));
    Eventually.until(WAIT, () -> webhooks(bare, "email.delivered", id, "bob@sched.test") == 1,
        () -> "email.delivered webhook for " + id);
  }

  @Test
  void scheduledTestModeMailIsNeverFiled() {
    String testKey = bare.gateway().admin("POST", "/admin/v1/keys", new JsonObject().put("name", "t")
        .put("mailbox", "alice@sched.test").put("scope", "full_access").put("mode", "test")).body();
    HttpResponse<String> sent = bare.gateway().withKey(new JsonObject(testKey).getString("key"),
        "POST", "/v1/emails", new JsonObject().put("from", "alice@sched.test")
            .put("to", new JsonArray().add("bob@sched.test")).put("subject", "Sandboxed later")
            .put("text", "never filed").put("scheduled_at", "in 1 hour"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    UUID id = UUID.fromString(new JsonObject(sent.body()).getString("id"));
    assertThat(count(bare, "SELECT count(*) FROM delivery_queue WHERE message_id = $1", id))
        .as("test-mode mail has no queue row: never claimed, never filed").isZero();
    assertThat(count(bare, "SELECT count(*) FROM inbound_raw WHERE outbound_id = $1", id)).isZero();
  }

  @Test
  void anUnknownAddressOfAHostedDomainBouncesWith550WhenDue() {
    String subject = "Partly later " + UUID.randomUUID();
    UUID id = scheduled(bare, subject, "bob@sched.test", "nobody@sched.test");
    makeDue(bare, id);
    awaitStatus(bare, id, "partially_delivered");
    JsonObject nobody = recipient(email(bare, id), "nobody@sched.test");
    assertThat(nobody.getString("status")).isEqualTo("bounced");
    assertThat(nobody.getString("reply")).startsWith("550 5.1.1");
    filed(bare, bare.bobKey(), "inbox", subject);
    Eventually.until(WAIT, () -> webhooks(bare, "email.bounced", id, "nobody@sched.test") == 1,
        () -> "email.bounced webhook for " + id);
  }

  @Test
  void aStandardTierCopyIsFiledFromClearFactsOfTheStoredMime() {
    String subject = "Sealed later " + UUID.randomUUID();
    UUID id = scheduled(bare, subject, "sealed@sched.test");
    makeDue(bare, id);
    awaitStatus(bare, id, "delivered");
    Row sealed = sealedCopy(id);
    assertThat(sealed.getBoolean("encrypted")).isTrue();
    assertThat(sealed.getString("subject")).as("subject stays out of the clear").isNull();
    assertThat(sealed.getString("text_body")).isNull();
    assertThat(sealed.getString("from_address")).isEqualTo("alice@sched.test");
    assertThat(sealed.getString("from_name")).isEqualTo("Alice");
    String sentId = bare.pool().preparedQuery("SELECT message_id_header FROM outbound_messages"
        + " WHERE id = $1").execute(Tuple.of(id)).await().iterator().next().getString(0);
    assertThat(sealed.getString("message_id_header")).isEqualTo(LocalDeliveryPlanner.bare(sentId));
  }

  @Test
  void aStandardTierCopyOfMimeInTheBlobStoreIsFiledFromItsHeaderBlock() {
    String subject = "Sealed and large " + UUID.randomUUID();
    HttpResponse<String> sent = bare.gateway().withKey(bare.aliceKey(), "POST", "/v1/emails",
        new JsonObject().put("from", "Alice <alice@sched.test>")
            .put("to", new JsonArray().add("sealed@sched.test")).put("subject", subject)
            .put("text", "x".repeat(400_000)).put("scheduled_at", "in 1 hour"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    UUID id = UUID.fromString(new JsonObject(sent.body()).getString("id"));
    assertThat(count(bare, "SELECT count(*) FROM outbound_messages WHERE id = $1"
        + " AND blob_key IS NOT NULL", id)).as("stored in the blob store").isEqualTo(1);
    makeDue(bare, id);
    awaitStatus(bare, id, "delivered");
    Row sealed = sealedCopy(id);
    assertThat(sealed.getBoolean("encrypted")).isTrue();
    assertThat(sealed.getString("from_address")).isEqualTo("alice@sched.test");
    assertThat(sealed.getString("message_id_header")).isNotBlank();
  }

  @Test
  void aSecondClaimOfAFiledMessageFilesNothingTwice() {
    String subject = "Once " + UUID.randomUUID();
    UUID id = scheduled(bare, subject, "bob@sched.test");
    makeDue(bare, id);
    awaitStatus(bare, id, "delivered");
    filed(bare, bare.bobKey(), "inbox", subject);
    filed(bare, bare.aliceKey(), "sent", subject);
    assertThat(count(bare, "SELECT count(*) FROM inbound_deliveries d JOIN inbound_raw r"
        + " ON r.id = d.raw_id WHERE r.outbound_id = $1", id)).isEqualTo(2);

    // As if the node had died after the copies committed and before the settlement did: the
    // recipient still pending, the queue row due again (its lease expired).
    bare.pool().withTransaction(c -> c.preparedQuery("UPDATE outbound_recipients SET status ="
                + " 'scheduled', reply = NULL WHERE message_id = $1").execute(Tuple.of(id))
            .compose(v -> c.preparedQuery("UPDATE outbound_messages SET status = 'scheduled'"
                + " WHERE id = $1").execute(Tuple.of(id)))
            .compose(v -> c.preparedQuery("INSERT INTO delivery_queue (message_id, due_at)"
                + " VALUES ($1, now())").execute(Tuple.of(id)))
            .compose(v -> c.query("SELECT pg_notify('postern_queue', '')").execute()))
        .await();
    // The second claim settles again (a second 'delivered' event)…
    Eventually.until(WAIT, () -> count(bare, "SELECT count(*) FROM outbound_events"
            + " WHERE message_id = $1 AND type = 'delivered'", id) == 2
            && count(bare, "SELECT count(*) FROM delivery_queue WHERE message_id = $1", id) == 0,
        () -> "second settlement of " + id);
    assertThat(email(bare, id).getString("status")).isEqualTo("delivered");
    // …and made no second copy: the rows it would have filed are committed before it settles.
    assertThat(count(bare, "SELECT count(*) FROM inbound_deliveries d JOIN inbound_raw r"
        + " ON r.id = d.raw_id WHERE r.outbound_id = $1", id)).isEqualTo(2);
    assertThat(count(bare, "SELECT count(*) FROM inbound_deliveries d JOIN inbound_raw r"
        + " ON r.id = d.raw_id WHERE r.outbound_id = $1 AND d.state <> 'filed'", id)).isZero();
    assertThat(listed(bare, bare.bobKey(), "inbox", subject)).hasSize(1);
    assertThat(listed(bare, bare.aliceKey(), "sent", subject)).hasSize(1);
  }

  @Test
  void mixedDueMailIsFiledForTheHostedRecipientAndRelayedToTheRemoteOne() {
    String subject = "Mixed later " + UUID.randomUUID();
    UUID id = scheduled(relaying, subject, "bob@mixsched.test", "carol@dest.test");
    makeDue(relaying, id);
    Eventually.until(WAIT, () -> Arrays.stream(relay.server().getReceivedMessages())
        .anyMatch(m -> subject.equals(subjectOf(m))), () -> "relayed to carol");
    awaitStatus(relaying, id, "delivered");
    // GreenMail keeps one copy per envelope recipient (RCPT TO): carol's is the only one.
    assertThat(Arrays.stream(relay.server().getReceivedMessages())
        .filter(m -> subject.equals(subjectOf(m))).count())
        .as("the hosted recipient is never relayed").isEqualTo(1);
    JsonObject status = email(relaying, id);
    assertThat(recipient(status, "bob@mixsched.test").getString("reply")).isEqualTo(LocalPlan.FILED);
    assertThat(recipient(status, "carol@dest.test").getString("reply")).startsWith("250");
    filed(relaying, relaying.bobKey(), "inbox", subject);
    filed(relaying, relaying.aliceKey(), "sent", subject);
  }

  static List<Row> filedRows(Node n, UUID outboundId) {
    List<Row> out = new ArrayList<>();
    n.pool().preparedQuery("""
            SELECT mb.address, m.folder, m.encrypted, m.subject, m.text_body, m.message_id_header,
                   m.from_name, m.from_address
              FROM mail_messages m JOIN inbound_raw r ON r.id = m.raw_id
              JOIN mailboxes mb ON mb.id = m.mailbox_id
             WHERE r.outbound_id = $1 ORDER BY mb.address, m.folder""")
        .execute(Tuple.of(outboundId)).await().forEach(out::add);
    return out;
  }

  private static String subjectOf(jakarta.mail.internet.MimeMessage m) {
    try {
      return String.valueOf(m.getSubject());
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The standard-tier mailbox's filed copy of the message, once there. */
  private Row sealedCopy(UUID id) {
    Eventually.until(WAIT, () -> filedRows(bare, id).stream()
        .anyMatch(r -> r.getString("address").equals("sealed@sched.test")), () -> "sealed copy");
    return filedRows(bare, id).stream()
        .filter(r -> r.getString("address").equals("sealed@sched.test")).findFirst().orElseThrow();
  }
}
