package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md SMTP 3 and issue #12 item 4 over real sockets: AUTH only after TLS, malformed and
 * oversized exchanges, cancel, bad keys slowed and cut off, a second AUTH, revocation at the next
 * AUTH, and a test key's message sandboxed as over REST.
 *
 * <p>The idle timeout is 2 s here, shorter than the slow-down of a third failure: the server's
 * own delay must not count as the client being idle.
 */
class SmtpAuthIT {

  private static final String FROM = "app@auth.example";

  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int port;
  private static Path cert;
  private static String key;

  @BeforeAll
  static void start() {
    port = FreePort.next();
    gateway = TestGateway.start(Map.of(
            "POSTERN_SMTP_PORT", Integer.toString(port),
            "POSTERN_SMTP_HOST", "127.0.0.1"),
        new JsonObject().put("smtp", new JsonObject()
            .put("idle_timeout_seconds", 2)
            .put("max_auth_failures", 3)));
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    kit = new SmtpKit(gateway);
    kit.mailbox(FROM);
    key = kit.key(FROM).secret();
  }

  @AfterAll
  static void stop() {
    if (kit != null) {
      kit.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void authBeforeTlsIs530AndAuthIsNotOffered() throws Exception {
    try (SmtpWire smtp = greeted()) {
      assertThat(smtp.command("EHLO client.example").lines()).noneMatch(l -> l.startsWith("AUTH"));
      SmtpWire.Reply refused = smtp.authPlain("postern", key);
      assertThat(refused.code()).isEqualTo(530);
      assertThat(refused.text()).startsWith("5.7.0");
      assertThat(smtp.command("MAIL FROM:<" + FROM + ">").code()).as("no AUTH happened").isEqualTo(530);
    }
  }

  @Test
  void a10KilobyteAuthIsRefusedAndTheSessionGoesOn() throws Exception {
    try (SmtpWire smtp = tls()) {
      String huge = "A".repeat(10 * 1024);
      // As a command line: over 512 octets.
      assertThat(smtp.command("AUTH PLAIN " + huge).code()).isEqualTo(500);
      // As the response line after 334: over 1000 octets, which cancels the exchange.
      assertThat(smtp.command("AUTH PLAIN").code()).isEqualTo(334);
      SmtpWire.Reply tooLong = smtp.command(huge);
      assertThat(tooLong.code()).as(tooLong.toString()).isEqualTo(500);
      assertThat(tooLong.text()).startsWith("5.5.6");
      assertThat(smtp.command("NOOP").code()).as("no exchange left half-open").isEqualTo(250);
      assertThat(smtp.authPlain("postern", key).code()).isEqualTo(235);
    }
  }

  @Test
  void aMalformedResponseIs501AndStarCancels() throws Exception {
    try (SmtpWire smtp = tls()) {
      assertThat(smtp.command("AUTH PLAIN !!not-base64!!").code()).isEqualTo(501);
      assertThat(smtp.command("AUTH LOGIN").code()).isEqualTo(334);
      SmtpWire.Reply cancelled = smtp.command("*");
      assertThat(cancelled.code()).isEqualTo(501);
      assertThat(cancelled.text()).startsWith("5.0.0");
      // LOGIN, completed: any username, the key as the password.
      assertThat(smtp.command("AUTH LOGIN").code()).isEqualTo(334);
      assertThat(smtp.command(b64("postern")).code()).isEqualTo(334);
      assertThat(smtp.command(b64(key)).code()).isEqualTo(235);
    }
  }

  @Test
  void aSecondAuthIs503() throws Exception {
    try (SmtpWire smtp = tls()) {
      assertThat(smtp.authPlain("postern", key).code()).isEqualTo(235);
      SmtpWire.Reply again = smtp.authPlain("postern", key);
      assertThat(again.code()).isEqualTo(503);
      assertThat(again.text()).startsWith("5.5.1");
    }
  }

  @Test
  void badKeysAreSlowedDownAndTheConnectionDropsAfterTheThirdFailure() throws Exception {
    String bad = "pst_live_" + "x".repeat(40);
    try (SmtpWire smtp = tls()) {
      long[] took = new long[3];
      SmtpWire.Reply[] replies = new SmtpWire.Reply[3];
      for (int i = 0; i < 3; i++) {
        long start = System.nanoTime();
        replies[i] = smtp.authPlain("postern", bad + i);
        took[i] = (System.nanoTime() - start) / 1_000_000;
      }
      assertThat(replies[0].code()).isEqualTo(535);
      assertThat(replies[0].text()).startsWith("5.7.8");
      assertThat(replies[1].code()).isEqualTo(535);
      SmtpWire.Reply last = replies[2];
      assertThat(last.code()).as(last.toString()).isEqualTo(421);
      assertThat(last.text()).startsWith("4.7.0");
      assertThat(smtp.closedByServer()).isTrue();
      // 500 ms doubling per failure from this address (AuthThrottle): lower bounds only.
      assertThat(took[0]).as("first failure, ms").isGreaterThanOrEqualTo(450);
      assertThat(took[1]).as("second failure, ms").isGreaterThanOrEqualTo(950);
      assertThat(took[2]).as("third failure, ms").isGreaterThanOrEqualTo(1950);
    }
  }

  @Test
  void aRevokedKeyIsRefusedAtTheNextAuthOnAnyConnection() throws Exception {
    SmtpKit.Key doomed = kit.key(FROM);
    try (SmtpWire before = tls()) {
      assertThat(before.authPlain("postern", doomed.secret()).code()).isEqualTo(235);
      HttpResponse<String> revoked = gateway.admin("DELETE", "/admin/v1/keys/" + doomed.id(), null);
      assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
      try (SmtpWire after = tls()) {
        SmtpWire.Reply refused = after.authPlain("postern", doomed.secret());
        assertThat(refused.code()).as(refused.toString()).isEqualTo(535);
        assertThat(refused.text()).startsWith("5.7.8");
      }
    }
  }

  @Test
  void aTestKeysMessageIsSandboxedAsOverRest() throws Exception {
    SmtpKit.Key test = kit.key(FROM, new JsonObject().put("mode", "test"));
    String subject = "sandbox " + UUID.randomUUID();
    try (SmtpWire smtp = tls()) {
      assertThat(smtp.authPlain("postern", test.secret()).code()).isEqualTo(235);
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, "someone@elsewhere.example",
          SmtpKit.message(FROM, subject)));
      HttpResponse<String> status = gateway.withKey(test.secret(), "GET", "/v1/emails/" + id, null);
      assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      assertThat(new JsonObject(status.body()).getString("status")).isEqualTo("sandboxed");
      assertThat(kit.count("SELECT count(*) FROM delivery_queue WHERE message_id = $1::uuid", id))
          .as("nothing queued for delivery").isZero();
    }
  }

  private static SmtpWire greeted() throws Exception {
    SmtpWire smtp = SmtpWire.connect(port, cert, false);
    assertThat(smtp.reply().code()).isEqualTo(220);
    return smtp;
  }

  /** After STARTTLS and a new EHLO, not authenticated. */
  private static SmtpWire tls() throws Exception {
    SmtpWire smtp = greeted();
    smtp.command("EHLO client.example");
    assertThat(smtp.command("STARTTLS").code()).isEqualTo(220);
    smtp.upgradeToTls();
    assertThat(smtp.command("EHLO client.example").code()).isEqualTo(250);
    return smtp;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
