package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13 items 4 and 8 on the embedded default with NO relay configured: mail sent to a
 * hosted mailbox (REST or SMTP submission) is filed into it by the filing pipeline, the sender's
 * copy into its {@code sent} folder, a reply threads with it in both mailboxes; an unknown local
 * recipient bounces at once with 550 5.1.1; test-mode mail is never filed.
 */
class LocalDeliveryIT {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final Pattern QUEUED = Pattern.compile("Ok: queued as ([0-9a-f-]{36})");

  static TestGateway gateway;
  static Pool pool;
  static int smtpPort;
  static String aliceKey;
  static String bobKey;
  static String aliceTestKey;

  @BeforeAll
  static void start() {
    smtpPort = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_SMTP_PORT", Integer.toString(smtpPort),
        "POSTERN_SMTP_HOST", "127.0.0.1"));
    pool = gateway.core().database().pool();
    mailbox("alice@local.test");
    mailbox("bob@local.test");
    aliceKey = key("alice@local.test", "live");
    bobKey = key("bob@local.test", "live");
    aliceTestKey = key("alice@local.test", "test");
    assertThat(gateway.admin("POST", "/admin/v1/webhooks", new JsonObject()
        .put("url", "https://hooks.example.com/local")
        .put("events", new JsonArray().add("email.delivered").add("email.bounced")
            .add("email.received"))).statusCode())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static void mailbox(String address) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", address).put("encryption_tier", "plaintext"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  static String key(String mailbox, String mode) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "k").put("mailbox", mailbox).put("scope", "full_access").put("mode", mode));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  static String send(String key, String from, JsonArray to, String subject) {
    HttpResponse<String> sent = gateway.withKey(key, "POST", "/v1/emails", new JsonObject()
        .put("from", from).put("to", to).put("subject", subject).put("text", "Hello " + subject));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    return new JsonObject(sent.body()).getString("id");
  }

  static JsonObject email(String key, String id) {
    HttpResponse<String> got = gateway.withKey(key, "GET", "/v1/emails/" + id, null);
    assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
    return new JsonObject(got.body());
  }

  /** The listed message of {@code folder} with {@code subject}, if filed yet. */
  static Optional<JsonObject> listed(String key, String folder, String subject) {
    HttpResponse<String> page = gateway.withKey(key, "GET", "/v1/inbox/messages?folder=" + folder, null);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return new JsonObject(page.body()).getJsonArray("messages").stream()
        .map(JsonObject.class::cast).filter(m -> subject.equals(m.getString("subject"))).findFirst();
  }

  static JsonObject filed(String key, String folder, String subject) {
    Eventually.until(WAIT, () -> listed(key, folder, subject).isPresent(),
        () -> "'" + subject + "' in " + folder);
    return listed(key, folder, subject).orElseThrow();
  }

  static long count(String sql, Object... args) {
    return pool.preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
  }

  static JsonObject recipient(JsonObject email, String address) {
    return email.getJsonArray("recipients").stream().map(JsonObject.class::cast)
        .filter(r -> address.equals(r.getString("address"))).findFirst().orElseThrow();
  }

  @Test
  void restSendBetweenHostedMailboxesIsFiledInInboxAndSentAndTheReplyThreadsInBoth() {
    String subject = "Lunch " + UUID.randomUUID();
    String id = send(aliceKey, "alice@local.test", new JsonArray().add("bob@local.test"), subject);

    JsonObject status = email(aliceKey, id);
    assertThat(status.getString("status")).isEqualTo("delivered");
    assertThat(recipient(status, "bob@local.test").getString("status")).isEqualTo("delivered");
    assertThat(recipient(status, "bob@local.test").getString("reply")).isEqualTo("250 2.0.0 filed locally");
    assertThat(status.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("type")))
        .containsExactly("queued", "delivered");
    assertThat(count("SELECT count(*) FROM delivery_queue WHERE message_id = $1", UUID.fromString(id)))
        .as("nothing left for a relay: no queue row, nothing parked").isZero();

    JsonObject inBob = filed(bobKey, "inbox", subject);
    JsonObject inAliceSent = filed(aliceKey, "sent", subject);
    assertThat(inBob.getString("message_id")).isEqualTo(inAliceSent.getString("message_id"));
    assertThat(listed(aliceKey, "inbox", subject)).as("not in the sender's inbox").isEmpty();
    Eventually.until(WAIT, () -> count("SELECT count(*) FROM webhook_deliveries WHERE event_type"
        + " = 'email.delivered' AND payload->'data'->>'email_id' = $1", id) == 1,
        () -> "email.delivered webhook for " + id);
    Eventually.until(WAIT, () -> count("SELECT count(*) FROM webhook_deliveries WHERE event_type"
        + " = 'email.received' AND payload->'data'->>'email_id' = $1", inBob.getString("id")) == 1,
        () -> "email.received for bob's copy");

    HttpResponse<String> replied = gateway.withKey(bobKey, "POST",
        "/v1/inbox/messages/" + inBob.getString("id") + "/reply", new JsonObject().put("text", "Yes!"));
    assertThat(replied.statusCode()).as(replied.body()).isEqualTo(200);
    JsonObject replyInAlice = filed(aliceKey, "inbox", "Re: " + subject);
    JsonObject replyInBobSent = filed(bobKey, "sent", "Re: " + subject);
    assertThat(replyInAlice.getString("thread_id")).as("alice: her sent copy and the reply")
        .isEqualTo(inAliceSent.getString("thread_id"));
    assertThat(replyInBobSent.getString("thread_id")).as("bob: the original and his sent reply")
        .isEqualTo(inBob.getString("thread_id"));
    // Positive signal first: the reply filed in alice's inbox (long after her sent copy) announced.
    Eventually.until(WAIT, () -> count("SELECT count(*) FROM webhook_deliveries WHERE event_type"
        + " = 'email.received' AND payload->'data'->>'email_id' = $1", replyInAlice.getString("id")) == 1,
        () -> "email.received for the reply in alice's inbox");
    assertThat(count("SELECT count(*) FROM webhook_deliveries WHERE event_type = 'email.received'"
        + " AND payload->'data'->>'email_id' = $1", inAliceSent.getString("id")))
        .as("a sent copy is not received mail").isZero();
  }

  @Test
  void anUnknownLocalRecipientBouncesAtOnceWith550AndTheOthersAreFiled() {
    String subject = "Partly " + UUID.randomUUID();
    String id = send(aliceKey, "alice@local.test",
        new JsonArray().add("bob@local.test").add("nobody@local.test"), subject);
    JsonObject status = email(aliceKey, id);
    assertThat(status.getString("status")).isEqualTo("partially_delivered");
    JsonObject nobody = recipient(status, "nobody@local.test");
    assertThat(nobody.getString("status")).isEqualTo("bounced");
    assertThat(nobody.getString("reply")).startsWith("550 5.1.1");
    assertThat(recipient(status, "bob@local.test").getString("status")).isEqualTo("delivered");
    filed(bobKey, "inbox", subject);
    Eventually.until(WAIT, () -> count("SELECT count(*) FROM webhook_deliveries WHERE event_type"
        + " = 'email.bounced' AND payload->'data'->>'email_id' = $1"
        + " AND payload->'data'->>'recipient' = 'nobody@local.test'", id) == 1,
        () -> "email.bounced webhook for " + id);
    assertThat(count("SELECT count(*) FROM delivery_queue WHERE message_id = $1", UUID.fromString(id)))
        .isZero();
  }

  @Test
  void aFullLocalMailboxBouncesWith552() {
    mailbox("full@local.test");
    pool.query("UPDATE mailboxes SET storage_quota_bytes = 1, storage_used_bytes = 1"
        + " WHERE address = 'full@local.test'").execute().await();
    String id = send(aliceKey, "alice@local.test", new JsonArray().add("full@local.test"),
        "Full " + UUID.randomUUID());
    JsonObject status = email(aliceKey, id);
    assertThat(status.getString("status")).isEqualTo("bounced");
    assertThat(recipient(status, "full@local.test").getString("reply")).startsWith("552 5.2.2");
  }

  @Test
  void aMailboxCreatedRightAfterABounceReceivesTheNextMessage() {
    String first = send(aliceKey, "alice@local.test", new JsonArray().add("late@local.test"),
        "Too early " + UUID.randomUUID());
    assertThat(email(aliceKey, first).getString("status")).isEqualTo("bounced");
    mailbox("late@local.test");
    // The recipient answer cached by the first send (5 s) is forgotten when a mailbox changes.
    String second = send(aliceKey, "alice@local.test", new JsonArray().add("late@local.test"),
        "Just in time " + UUID.randomUUID());
    assertThat(email(aliceKey, second).getString("status")).isEqualTo("delivered");
  }

  @Test
  void testModeMailIsNeverFiled() {
    String subject = "Sandboxed " + UUID.randomUUID();
    String id = send(aliceTestKey, "alice@local.test", new JsonArray().add("bob@local.test"), subject);
    // The rows would have been committed in the statement that stored the message (before 200).
    assertThat(email(aliceTestKey, id).getString("status")).isEqualTo("sandboxed");
    assertThat(count("SELECT count(*) FROM inbound_raw WHERE outbound_id = $1", UUID.fromString(id)))
        .isZero();
    assertThat(count("SELECT count(*) FROM outbound_recipients WHERE message_id = $1"
        + " AND status = 'delivered'", UUID.fromString(id))).isZero();
  }

  @Test
  void smtpSubmissionToAHostedMailboxIsFiledLikewise() throws Exception {
    String subject = "Over SMTP " + UUID.randomUUID();
    String id;
    try (SmtpWire smtp = SmtpWire.connect(smtpPort, gateway.dataDir().resolve("tls/smtp-cert.pem"),
        false)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      assertThat(smtp.startTlsAndLogin(aliceKey).code()).isEqualTo(235);
      assertThat(smtp.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      SmtpWire.Reply done = smtp.command("From: Alice <alice@local.test>\r\nTo: bob@local.test\r\n"
          + "Message-ID: <smtp-" + UUID.randomUUID() + "@local.test>\r\nSubject: " + subject
          + "\r\n\r\nHello over SMTP.\r\n.");
      assertThat(done.code()).as(done.toString()).isEqualTo(250);
      Matcher m = QUEUED.matcher(done.text());
      assertThat(m.find()).as(done.text()).isTrue();
      id = m.group(1);
    }
    assertThat(email(aliceKey, id).getString("status")).isEqualTo("delivered");
    JsonObject inBob = filed(bobKey, "inbox", subject);
    JsonObject inAliceSent = filed(aliceKey, "sent", subject);
    assertThat(inBob.getString("from")).contains("alice@local.test");
    assertThat(inAliceSent.getString("thread_id")).isNotNull();
  }
}
