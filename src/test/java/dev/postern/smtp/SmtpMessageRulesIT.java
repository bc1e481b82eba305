package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 item 5 over real sockets: the key's sender binding at MAIL and on the From header,
 * the headers the core adds or removes, the actor header in the audit row, the quota shared
 * with REST, the replay of a message after a lost 250, and webhooks as for a REST message.
 */
class SmtpMessageRulesIT {

  private static final String FROM = "app@rules.example";
  private static final String TO = "someone@elsewhere.example";

  private static GreenMailFixture relay;
  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int port;
  private static Path cert;
  private static SmtpKit.Key key;

  @BeforeAll
  static void start() {
    relay = GreenMailFixture.start();
    port = FreePort.next();
    gateway = TestGateway.start(Map.of(
        "POSTERN_SMTP_PORT", Integer.toString(port),
        "POSTERN_SMTP_HOST", "127.0.0.1",
        "POSTERN_RELAY_URL", relay.relayUrl()));
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    kit = new SmtpKit(gateway);
    kit.mailbox(FROM);
    kit.mailbox("other@rules.example");
    key = kit.key(FROM);
  }

  @AfterAll
  static void stop() {
    try {
      if (kit != null) {
        kit.close();
      }
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      if (relay != null) {
        relay.close();
      }
    }
  }

  @Test
  void aSenderOutsideTheKeysBindingIs550AtMail() throws Exception {
    try (SmtpWire smtp = authenticated(key)) {
      SmtpWire.Reply refused = smtp.command("MAIL FROM:<other@rules.example>");
      assertThat(refused.code()).as(refused.toString()).isEqualTo(550);
      assertThat(refused.text()).startsWith("5.7.1");
    }
  }

  @Test
  void aFromHeaderOutsideTheKeysBindingIs550AfterTheDotAndNothingIsStored() throws Exception {
    String subject = "forged from " + UUID.randomUUID();
    try (SmtpWire smtp = authenticated(key)) {
      SmtpWire.Reply refused = SmtpKit.transaction(smtp, FROM, TO,
          SmtpKit.message("other@rules.example", subject));
      assertThat(refused.code()).as(refused.toString()).isEqualTo(550);
      assertThat(refused.text()).startsWith("5.7.1");
    }
    assertThat(kit.messagesWithSubject(subject)).isZero();
  }

  @Test
  void messageIdAndDateAreAddedBccIsRemovedAndTheActorIsAudited() throws Exception {
    String subject = "headers " + UUID.randomUUID();
    String id;
    try (SmtpWire smtp = authenticated(key)) {
      assertThat(smtp.command("MAIL FROM:<" + FROM + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<" + TO + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<hidden@elsewhere.example>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      id = SmtpKit.queuedId(smtp.command("From: <" + FROM + ">\r\nTo: " + TO
          + "\r\nBcc: hidden@elsewhere.example\r\nX-Postern-Actor: jane@ops.example\r\nSubject: "
          + subject + "\r\n\r\nNo Message-ID, no Date.\r\n."));
    }
    String mime = kit.inlineMime(id);
    String headers = mime.substring(0, mime.indexOf("\r\n\r\n") + 2);
    assertThat(headers).containsPattern("(?im)^Message-ID: <[^>]+>$")
        .containsPattern("(?im)^Date: \\S.+$")
        .doesNotContainPattern("(?im)^Bcc:")
        .doesNotContain("hidden@elsewhere.example");
    assertThat(kit.count("SELECT count(*) FROM outbound_recipients WHERE message_id = $1::uuid", id))
        .as("the envelope decides: the Bcc recipient is still sent to").isEqualTo(2);
    Eventually.untilAsserted(Duration.ofSeconds(10), () -> assertThat(kit.count(
        "SELECT count(*) FROM audit_log WHERE details->>'email_id' = $1", id)).isEqualTo(1));
    {
      Row audit = kit.query("SELECT actor_header, method, status, details FROM audit_log "
          + "WHERE details->>'email_id' = $1", id).iterator().next();
      assertThat(audit.getString("actor_header")).isEqualTo("jane@ops.example");
      assertThat(audit.getString("method")).isEqualTo("SMTP");
      assertThat(audit.getInteger("status")).isEqualTo(250);
      assertThat(((JsonObject) audit.getValue("details")).getString("source")).isEqualTo("smtp");
    }
  }

  @Test
  void theQuotaIsTheSameCounterAsRestAndOverItMailIs451WithTheLimit() throws Exception {
    SmtpKit.Key limited = kit.key(FROM, new JsonObject().put("rate_limit_per_hour", 3));
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> sent = gateway.withKey(limited.secret(), "POST", "/v1/emails", new JsonObject()
          .put("from", FROM).put("to", TO).put("subject", "rest " + i).put("text", "t"));
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    }
    try (SmtpWire smtp = authenticated(limited)) {
      SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, TO, SmtpKit.message(FROM, "the third")));
      SmtpWire.Reply over = smtp.command("MAIL FROM:<" + FROM + ">");
      assertThat(over.code()).as(over.toString()).isEqualTo(451);
      assertThat(over.text()).startsWith("4.7.1").contains("3 messages");
    }
    HttpResponse<String> rest = gateway.withKey(limited.secret(), "POST", "/v1/emails", new JsonObject()
        .put("from", FROM).put("to", TO).put("subject", "rest after").put("text", "t"));
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(429);
  }

  @Test
  void theSameMessageSentAgainAfterALost250GetsTheFirstId() throws Exception {
    String messageId = "<" + UUID.randomUUID() + "@client.example>";
    String message = "From: <" + FROM + ">\r\nTo: " + TO + "\r\nMessage-ID: " + messageId
        + "\r\nDate: Mon, 1 Dec 2025 10:00:00 +0000\r\nSubject: retried\r\n\r\nSame bytes.";
    String first;
    try (SmtpWire smtp = authenticated(key)) {
      first = SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, TO, message));
    }
    // An MTA that lost the 250 (connection cut after the dot) sends the same bytes again.
    try (SmtpWire smtp = authenticated(key)) {
      assertThat(SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, TO, message))).isEqualTo(first);
    }
    assertThat(kit.count("SELECT count(*) FROM outbound_messages WHERE message_id_header = $1", messageId))
        .isEqualTo(1);
  }

  @Test
  void anSmtpMessageGetsTheSameEventsAsARestOne() throws Exception {
    String viaSmtp;
    try (SmtpWire smtp = authenticated(key)) {
      viaSmtp = SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, TO, SmtpKit.message(FROM, "events smtp")));
    }
    HttpResponse<String> rest = gateway.withKey(key.secret(), "POST", "/v1/emails", new JsonObject()
        .put("from", FROM).put("to", TO).put("subject", "events rest").put("text", "t"));
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
    String viaRest = new JsonObject(rest.body()).getString("id");
    for (String id : new String[] {viaSmtp, viaRest}) {
      assertThat(kit.count("SELECT count(*) FROM outbound_events WHERE message_id = $1::uuid AND type = 'queued'", id))
          .as("queued event of %s", id).isEqualTo(1);
      assertThat(kit.count("SELECT count(*) FROM delivery_queue WHERE message_id = $1::uuid", id)
          + kit.count("SELECT count(*) FROM outbound_events WHERE message_id = $1::uuid AND type <> 'queued'", id))
          .as("queued for delivery, or already tried: %s", id).isPositive();
    }
    assertThat(kit.count("SELECT count(*) FROM outbound_messages WHERE id = $1::uuid AND source = 'smtp'", viaSmtp))
        .isEqualTo(1);
  }

  private static SmtpWire authenticated(SmtpKit.Key key) throws Exception {
    SmtpWire smtp = SmtpWire.connect(port, cert, false);
    assertThat(smtp.reply().code()).isEqualTo(220);
    assertThat(smtp.startTlsAndLogin(key.secret()).code()).isEqualTo(235);
    return smtp;
  }
}
