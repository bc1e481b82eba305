package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The submission listeners end to end on a real gateway: STARTTLS (2587-style) and implicit TLS
 * (2465-style) with the self-signed certificate generated into the data directory, AUTH with an
 * API key, and a message that then exists at {@code GET /v1/emails/:id}.
 */
class SmtpSubmissionIT {

  private static final Pattern QUEUED = Pattern.compile("Ok: queued as ([0-9a-f-]{36})");

  private static TestGateway gateway;
  private static int submissionPort;
  private static int smtpsPort;
  private static String key;
  private static Path cert;

  @BeforeAll
  static void start() {
    submissionPort = FreePort.next();
    smtpsPort = FreePort.next();
    gateway = TestGateway.start(Map.of(
        "POSTERN_SMTP_PORT", Integer.toString(submissionPort),
        "POSTERN_SMTPS_PORT", Integer.toString(smtpsPort),
        "POSTERN_SMTP_HOST", "127.0.0.1"));
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    HttpResponse<String> mailbox = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", "app@shop.example").put("encryption_tier", "plaintext"));
    assertThat(mailbox.statusCode()).as(mailbox.body()).isEqualTo(201);
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "smtp").put("mailbox", "app@shop.example").put("scope", "full_access"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    key = new JsonObject(created.body()).getString("key");
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aMessageSentWithStartTlsAndAuthIsQueuedAndReadableOverRest() throws Exception {
    try (SmtpWire smtp = SmtpWire.connect(submissionPort, cert, false)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      SmtpWire.Reply ehlo = smtp.command("EHLO client.example");
      assertThat(ehlo.lines()).contains("STARTTLS").noneMatch(l -> l.startsWith("AUTH"));
      assertThat(smtp.command("AUTH PLAIN AHBvc3Rlcm4AeA==").code()).isEqualTo(530);
      assertThat(smtp.command("STARTTLS").code()).isEqualTo(220);
      smtp.upgradeToTls();
      SmtpWire.Reply secure = smtp.command("EHLO client.example");
      assertThat(secure.lines()).anyMatch(l -> l.startsWith("AUTH") && l.contains("PLAIN"))
          .noneMatch(l -> l.equals("STARTTLS"));
      assertThat(smtp.authPlain("postern", key).code()).isEqualTo(235);
      String id = sendOne(smtp, "smtp with starttls");
      HttpResponse<String> email = gateway.withKey(key, "GET", "/v1/emails/" + id, null);
      assertThat(email.statusCode()).as(email.body()).isEqualTo(200);
      assertThat(new JsonObject(email.body()).getString("subject")).isEqualTo("smtp with starttls");
      assertThat(smtp.command("QUIT").code()).isEqualTo(221);
    }
  }

  @Test
  void implicitTlsOffersAuthAtOnce() throws Exception {
    try (SmtpWire smtp = SmtpWire.connect(smtpsPort, cert, true)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      SmtpWire.Reply ehlo = smtp.command("EHLO client.example");
      assertThat(ehlo.lines()).anyMatch(l -> l.startsWith("AUTH")).noneMatch(l -> l.equals("STARTTLS"));
      assertThat(smtp.authPlain("postern", key).code()).isEqualTo(235);
      String id = sendOne(smtp, "smtp over implicit tls");
      assertThat(gateway.withKey(key, "GET", "/v1/emails/" + id, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void bytesPipelinedAfterStartTlsAreDiscardedAndANewEhloIsRequired() throws Exception {
    try (SmtpWire smtp = SmtpWire.connect(submissionPort, cert, false)) {
      smtp.reply();
      smtp.command("EHLO client.example");
      // RFC 3207 §4.2 / CVE-2011-0411: the NOOP rides in the same write as STARTTLS.
      smtp.send("STARTTLS\r\nNOOP\r\n");
      assertThat(smtp.reply().code()).isEqualTo(220);
      smtp.upgradeToTls();
      // Had the NOOP survived, its 250 would be the next thing read here.
      assertThat(smtp.command("MAIL FROM:<app@shop.example>").code()).isEqualTo(503);
      assertThat(smtp.command("EHLO client.example").code()).isEqualTo(250);
    }
  }

  private static String sendOne(SmtpWire smtp, String subject) throws Exception {
    assertThat(smtp.command("MAIL FROM:<app@shop.example>").code()).isEqualTo(250);
    assertThat(smtp.command("RCPT TO:<someone@elsewhere.example>").code()).isEqualTo(250);
    assertThat(smtp.command("DATA").code()).isEqualTo(354);
    SmtpWire.Reply queued = smtp.command("From: App <app@shop.example>\r\n"
        + "To: someone@elsewhere.example\r\nSubject: " + subject + "\r\n\r\nHello.\r\n..dot\r\n.");
    assertThat(queued.code()).as(queued.toString()).isEqualTo(250);
    Matcher m = QUEUED.matcher(queued.text());
    assertThat(m.find()).as(queued.text()).isTrue();
    return m.group(1);
  }
}
