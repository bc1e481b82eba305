package dev.postern.inbound.filing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.store.MailChangeEvents;
import dev.postern.inbound.store.MailStore;
import dev.postern.inbound.store.NewMessage;
import dev.postern.support.Eventually;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The filing loop of a real gateway: deliveries committed by SQL the way the acceptor commits
 * them (raw + delivery rows, then NOTIFY) are filed into the store, announced on the event bus
 * and as an {@code email.received} webhook carrying metadata only.
 */
class FilingIT {

  static final Duration WAIT = Duration.ofSeconds(20);
  static TestGateway gateway;
  static Pool pool;
  static final ConcurrentLinkedQueue<JsonObject> busEvents = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() {
    gateway = FilingGateway.start();
    pool = gateway.core().database().pool();
    gateway.vertx().eventBus().<JsonObject>consumer(MailChangeEvents.ADDRESS, m -> busEvents.add(m.body()))
        .completion().await();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static UUID mailbox() {
    return FilingGateway.mailbox(gateway, "in-");
  }

  /** An encrypted raw (standard tier: clear facts only) and one delivery per mailbox, then NOTIFY. */
  static UUID encryptedRaw(JsonObject facts, UUID... mailboxes) {
    UUID raw = UUID.randomUUID();
    pool.withTransaction(c -> c.preparedQuery("""
            INSERT INTO inbound_raw (id, source, encrypted, clear_facts, mime_inline, mime_size)
            VALUES ($1, 'mx', true, $2, '\\xc1c2c3', 3)""").execute(Tuple.of(raw, facts))
        .compose(v -> c.preparedQuery("""
            INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient)
            SELECT gen_random_uuid(), $1, m, 'to@example.com' FROM unnest($2::uuid[]) AS m""")
            .execute(Tuple.of(raw).addValue(mailboxes)))).await();
    pool.query("SELECT pg_notify('postern_inbound', '')").execute().await();
    return raw;
  }

  static List<Row> deliveries(UUID raw) {
    return rows("SELECT * FROM inbound_deliveries WHERE raw_id = $1 ORDER BY mailbox_id", raw);
  }

  static List<Row> rows(String sql, Object... args) {
    List<Row> out = new java.util.ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.from(args)).await().forEach(out::add);
    return out;
  }

  static void awaitState(UUID raw, String state) {
    Eventually.until(WAIT, () -> deliveries(raw).stream().allMatch(d -> state.equals(d.getString("state"))),
        () -> "deliveries of " + raw + " " + state + ": " + deliveries(raw).stream()
            .map(d -> d.getString("state") + "/" + d.getString("last_error")).toList());
  }

  @Test
  void anEncryptedRawForTwoMailboxesIsFiledIntoBothAndAnnounced() {
    UUID one = mailbox();
    UUID two = mailbox();
    UUID raw = encryptedRaw(new JsonObject().put("message_id", "facts@x").put("from_name", "Ann")
        .put("from_address", "ann@example.net").put("to", new JsonArray().add("to@example.com"))
        .put("references", new JsonArray().add("root@x")).put("date", "2026-01-02T03:04:05Z"), one, two);
    awaitState(raw, "filed");

    for (Row d : deliveries(raw)) {
      Row m = rows("SELECT * FROM mail_messages WHERE id = $1", d.getUUID("message_id")).get(0);
      assertThat(m.getUUID("mailbox_id")).isEqualTo(d.getUUID("mailbox_id"));
      assertThat(m.getUUID("delivery_id")).isEqualTo(d.getUUID("id"));
      assertThat(m.getString("folder")).isEqualTo("inbox");
      assertThat(m.getLong("uid")).isEqualTo(1L);
      assertThat(m.getBoolean("encrypted")).isTrue();
      assertThat(m.getString("subject")).isNull();
      assertThat(m.getString("from_address")).isEqualTo("ann@example.net");
      assertThat(m.getString("message_id_header")).isEqualTo("facts@x");
      assertThat(m.getLong("size_bytes")).isEqualTo(3L);
      UUID box = d.getUUID("mailbox_id");
      Eventually.untilAsserted(WAIT, () -> assertThat(busEvents).anyMatch(e ->
          e.getString("mailbox_id").equals(box.toString()) && "new".equals(e.getString("kind"))
              && e.getLong("seq") == 1L && m.getUUID("id").toString().equals(e.getString("message_id"))));
    }

    Eventually.until(WAIT, () -> webhookData(one) != null, () -> "email.received for " + one);
    JsonObject data = webhookData(one);
    assertThat(data.fieldNames()).containsExactlyInAnyOrder("email_id", "mailbox", "from", "to",
        "message_id", "received_at", "thread_id", "size_bytes", "has_attachments");
    assertThat(data.getString("from")).isEqualTo("ann@example.net");
    assertThat(data.getString("email_id")).isEqualTo(deliveries(raw).stream()
        .filter(d -> d.getUUID("mailbox_id").equals(one)).findFirst().orElseThrow()
        .getUUID("message_id").toString());
  }

  @Test
  void aDeliveryClaimedByANodeThatDiedIsFiledOnceItsLeaseExpires() {
    UUID box = mailbox();
    UUID raw = UUID.randomUUID();
    // The dead node's claim: leased, attempt counted, never settled.
    pool.withTransaction(c -> c.preparedQuery("""
            INSERT INTO inbound_raw (id, source, encrypted, clear_facts, mime_inline, mime_size)
            VALUES ($1, 'mx', true, '{}', '\\x00', 1)""").execute(Tuple.of(raw))
        .compose(v -> c.preparedQuery("""
            INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient, attempts, lease_owner, lease_until)
            VALUES (gen_random_uuid(), $1, $2, 'to@example.com', 1, 'dead-node', now() + interval '1 second')""")
            .execute(Tuple.of(raw, box)))).await();
    awaitState(raw, "filed");
    Row d = deliveries(raw).get(0);
    assertThat(d.getInteger("attempts")).isEqualTo(2);
    assertThat(rows("SELECT id FROM mail_messages WHERE delivery_id = $1", d.getUUID("id"))).hasSize(1);
  }

  @Test
  void aDeliveryWhoseMessageWasFiledBeforeIsNotFiledTwice() {
    UUID box = mailbox();
    UUID raw = UUID.randomUUID();
    UUID delivery = UUID.randomUUID();
    pool.preparedQuery("""
            INSERT INTO inbound_raw (id, source, encrypted, clear_facts, mime_inline, mime_size)
            VALUES ($1, 'mx', true, '{}', '\\x00', 1)""").execute(Tuple.of(raw)).await();
    // A first run filed the message, then its node died before the delivery row said so.
    MailStore store = new MailStore(pool, gateway.core().blobs(), new MailChangeEvents(gateway.vertx(), pool, 5));
    UUID first = store.file(new NewMessage(box, "inbox", raw, delivery, Instant.now(), 1, true, false,
        "to@example.com", null, null, null, List.of(), null, null, List.of(), List.of(), null, null,
        null, null, null, List.of(), Set.of())).await().id();
    pool.preparedQuery("""
            INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient, attempts, lease_owner, lease_until)
            VALUES ($1, $2, $3, 'to@example.com', 1, 'dead-node', now() - interval '1 second')""")
        .execute(Tuple.of(delivery, raw, box)).await();
    gateway.vertx().eventBus().publish(InboundWorkQueue.WAKE_ADDRESS, "");
    awaitState(raw, "filed");
    assertThat(deliveries(raw).get(0).getUUID("message_id")).isEqualTo(first);
    assertThat(rows("SELECT id FROM mail_messages WHERE mailbox_id = $1", box)).hasSize(1);
    assertThat(rows("SELECT seq FROM mail_changes WHERE mailbox_id = $1", box)).hasSize(1);
  }

  @Test
  void aRawThatCannotBeReadIsRetriedThenMarkedFailed() {
    UUID box = mailbox();
    UUID raw = UUID.randomUUID();
    pool.withTransaction(c -> c.preparedQuery("""
            INSERT INTO inbound_raw (id, source, encrypted, blob_key, mime_size)
            VALUES ($1, 'mx', false, 'in/2026/01/01/missing.eml', 10)""").execute(Tuple.of(raw))
        .compose(v -> c.preparedQuery("""
            INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient)
            VALUES (gen_random_uuid(), $1, $2, 'to@example.com')""").execute(Tuple.of(raw, box)))).await();
    gateway.vertx().eventBus().publish(InboundWorkQueue.WAKE_ADDRESS, "");
    awaitState(raw, "failed");
    Row d = deliveries(raw).get(0);
    assertThat(d.getInteger("attempts")).isEqualTo(2);
    assertThat(d.getString("last_error")).contains("missing.eml");
    assertThat(rows("SELECT id FROM mail_messages WHERE mailbox_id = $1", box)).isEmpty();
  }

  /** A plaintext raw (inline) and one delivery per mailbox, then NOTIFY. */
  static UUID plaintextRaw(String mime, UUID... mailboxes) {
    UUID raw = UUID.randomUUID();
    byte[] bytes = mime.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    pool.withTransaction(c -> c.preparedQuery("""
            INSERT INTO inbound_raw (id, source, encrypted, mime_inline, mime_size)
            VALUES ($1, 'mx', false, $2, $3)""")
            .execute(Tuple.of(raw, io.vertx.core.buffer.Buffer.buffer(bytes), (long) bytes.length))
        .compose(v -> c.preparedQuery("""
            INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient, tag, folder)
            SELECT gen_random_uuid(), $1, m, 'bot+orders@example.com', 'orders', 'orders' FROM unnest($2::uuid[]) AS m""")
            .execute(Tuple.of(raw).addValue(mailboxes)))).await();
    pool.query("SELECT pg_notify('postern_inbound', '')").execute().await();
    return raw;
  }

  static final String PARENT = String.join("\r\n",
      "From: Bob <bob@example.net>", "To: bot@example.com", "Subject: Order 7",
      "Message-ID: <order7@example.net>", "Date: Fri, 02 Jan 2026 03:04:05 +0000", "", "First.", "");

  static final String REPLY = String.join("\r\n",
      "From: =?UTF-8?Q?Bj=C3=B6rn?= <bjorn@example.net>", "To: bot@example.com, other@example.com",
      "Cc: carol@example.org", "Subject: =?UTF-8?Q?Re:_Order_7_=E2=9C=93?=",
      "Message-ID: <reply7@example.net>", "In-Reply-To: <order7@example.net>",
      "References: <order7@example.net>", "Date: Fri, 02 Jan 2026 04:04:05 +0000",
      "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b1\"", "",
      "--b1", "Content-Type: text/plain; charset=ISO-8859-1", "Content-Transfer-Encoding: quoted-printable", "",
      "Gr=FC=DFe, see the invoice.", "--b1", "Content-Type: application/pdf; name=\"invoice.pdf\"",
      "Content-Disposition: attachment; filename=\"invoice.pdf\"", "Content-Transfer-Encoding: base64", "",
      "JVBERi0xLjQK", "--b1--", "");

  @Test
  void aPlaintextReplyIsParsedFiledIntoItsFolderAndThreadedWithItsParent() {
    UUID one = mailbox();
    UUID two = mailbox();
    UUID parentRaw = plaintextRaw(PARENT, one);
    awaitState(parentRaw, "filed");
    UUID replyRaw = plaintextRaw(REPLY, one, two);
    awaitState(replyRaw, "filed");

    Row parent = rows("SELECT * FROM mail_messages WHERE raw_id = $1", parentRaw).get(0);
    for (Row d : deliveries(replyRaw)) {
      Row m = rows("SELECT * FROM mail_messages WHERE id = $1", d.getUUID("message_id")).get(0);
      assertThat(m.getString("folder")).isEqualTo("orders");
      assertThat(m.getString("tag")).isEqualTo("orders");
      assertThat(m.getBoolean("parse_failed")).isFalse();
      assertThat(m.getString("subject")).isEqualTo("Re: Order 7 \u2713");
      assertThat(m.getString("from_name")).isEqualTo("Bj\u00f6rn");
      assertThat(m.getString("from_address")).isEqualTo("bjorn@example.net");
      assertThat(m.getArrayOfStrings("to_addresses")).containsExactly("bot@example.com", "other@example.com");
      assertThat(m.getArrayOfStrings("cc_addresses")).containsExactly("carol@example.org");
      assertThat(m.getString("text_body")).contains("Gr\u00fc\u00dfe, see the invoice.");
      assertThat(m.getString("preview")).startsWith("Gr\u00fc\u00dfe");
      assertThat(m.getString("in_reply_to")).isEqualTo("order7@example.net");
      assertThat(m.getBoolean("has_attachments")).isTrue();
      assertThat(m.getJsonArray("headers").size()).isGreaterThan(8);
      assertThat(rows("SELECT filename, content_type, size FROM mail_attachments WHERE message_id = $1",
          m.getUUID("id"))).singleElement().satisfies(a -> {
            assertThat(a.getString("filename")).isEqualTo("invoice.pdf");
            assertThat(a.getString("content_type")).isEqualTo("application/pdf");
            assertThat(a.getLong("size")).isEqualTo(9L);
          });
      if (d.getUUID("mailbox_id").equals(one)) {
        assertThat(m.getUUID("thread_id")).isEqualTo(parent.getUUID("thread_id"));
        assertThat(m.getInteger("thread_position")).isEqualTo(2);
      } else {
        assertThat(m.getInteger("thread_position")).as("threads stay within a mailbox").isEqualTo(1);
      }
    }
    Eventually.until(WAIT, () -> webhookData(two) != null, () -> "email.received for " + two);
    assertThat(webhookData(two).getString("subject")).isEqualTo("Re: Order 7 \u2713");
    assertThat(webhookData(two).fieldNames()).doesNotContain("text", "html", "headers");
  }

  @Test
  void aMessageThatDefeatsTheParserIsFiledFlaggedNotDropped() {
    StringBuilder bomb = new StringBuilder("From: x@example.net\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    for (int i = 0; i < 60; i++) {
      bomb.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i).append("\r\n");
    }
    bomb.append("Content-Type: text/plain\r\n\r\ninner\r\n");
    UUID box = mailbox();
    UUID raw = plaintextRaw(bomb.toString(), box);
    awaitState(raw, "filed");
    Row m = rows("SELECT * FROM mail_messages WHERE raw_id = $1", raw).get(0);
    assertThat(m.getBoolean("parse_failed")).isTrue();
    assertThat(m.getLong("size_bytes")).isEqualTo((long) bomb.length());
  }

  /** The data of the email.received event recorded for a message of {@code box}, or null. */
  static JsonObject webhookData(UUID box) {
    for (Row r : rows("SELECT payload FROM webhook_deliveries WHERE event_type = 'email.received'")) {
      JsonObject data = ((JsonObject) r.getJson("payload")).getJsonObject("data");
      if (rows("SELECT 1 FROM mail_messages WHERE id = $1 AND mailbox_id = $2",
          UUID.fromString(data.getString("email_id")), box).size() == 1) {
        return data;
      }
    }
    return null;
  }
}
