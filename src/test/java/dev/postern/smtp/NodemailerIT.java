package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 "done when": nodemailer, installed with npm, with {@code secure: false} on the
 * STARTTLS port ({@code requireTLS}) and {@code secure: true} on the implicit-TLS port, trusting
 * the gateway's certificate through {@code tls.ca}. Its own 250 response carries the id the
 * message then has over REST, and the relay receives what nodemailer sent. The scenario
 * (src/test/resources/smtp-clients/nodemailer-send.mjs) runs once. Skipped, saying why, only
 * where node or npm is not installed.
 */
class NodemailerIT {

  static final String PACKAGE = "nodemailer@10.6.1";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

  @TempDir static Path project;
  private static ClientsGateway postern;
  private static JsonObject outcome;

  @BeforeAll
  static void installAndSend() throws Exception {
    assumeTrue(ExternalProgram.runs("node", "--version"),
        "node is not installed: this test runs nodemailer (needs Node.js >= 20 and npm)");
    assumeTrue(ExternalProgram.runs("npm", "--version"),
        "npm is not installed: this test installs " + PACKAGE + " with npm");
    Files.writeString(project.resolve("package.json"),
        "{\"name\": \"postern-smtp-check\", \"private\": true}\n");
    ExternalProgram.succeed(project, INSTALL_TIMEOUT, Map.of(),
        "npm", "install", "--no-audit", "--no-fund", PACKAGE);
    try (InputStream script = NodemailerIT.class.getResourceAsStream("/smtp-clients/nodemailer-send.mjs")) {
      Files.write(project.resolve("nodemailer-send.mjs"), script.readAllBytes());
    }

    postern = ClientsGateway.start();
    String stdout = ExternalProgram.succeed(project, RUN_TIMEOUT, Map.of(
        "POSTERN_SMTP_HOST", "127.0.0.1",
        "POSTERN_SMTP_PORT", Integer.toString(postern.submissionPort()),
        "POSTERN_SMTPS_PORT", Integer.toString(postern.smtpsPort()),
        "POSTERN_SMTP_CA", postern.cert().toString(),
        "POSTERN_KEY", postern.key()), "node", "nodemailer-send.mjs");
    outcome = new JsonObject(stdout.lines().reduce((a, b) -> b).orElseThrow());
  }

  @AfterAll
  static void stop() {
    if (postern != null) {
      postern.close();
    }
  }

  @Test
  void secureFalseWithRequireTlsOnTheSubmissionPort() throws Exception {
    follow(outcome.getJsonObject("starttls"), "nodemailer starttls");
  }

  @Test
  void secureTrueOnTheImplicitTlsPort() throws Exception {
    follow(outcome.getJsonObject("implicit"), "nodemailer implicit tls");
  }

  private static void follow(JsonObject info, String subject) throws Exception {
    assertThat(info.getJsonArray("accepted")).as(info.encode()).containsExactly("customer@elsewhere.example");
    assertThat(info.getJsonArray("rejected")).isEmpty();
    UUID id = ClientsGateway.queuedId(info.getString("response"));
    assertThat(info.getString("response")).startsWith("250 2.0.0 ");

    JsonObject email = postern.email(id);
    assertThat(email.getString("subject")).isEqualTo(subject);
    assertThat(email.getString("from")).isEqualTo("Shop <app@shop.example>");
    assertThat(email.getJsonArray("to")).containsExactly("customer@elsewhere.example");

    String relayed = postern.relayedUnchanged(id);
    String sent = new String(Base64.getDecoder().decode(info.getString("sent")), StandardCharsets.UTF_8);
    // The composed message keeps the text's own LF line ends; nodemailer's SMTP data stream
    // turns each into CRLF on the wire (RFC 5321 §2.3.8), as it must: we refuse a bare LF.
    // It sets its own Message-ID and Date, so nothing is added: the octets are its own.
    ClientsGateway.assertSameAsSent(sent.replaceAll("\r?\n", "\r\n"), relayed);
    MimeMessage message = ClientsGateway.parsed(relayed);
    assertThat(message.getMessageID()).isEqualTo(info.getString("messageId"));
    assertThat(message.getSubject()).isEqualTo(subject);
    assertThat(message.getHeader("X-Order", null)).isEqualTo("42");
    MimeMultipart alternative = (MimeMultipart) message.getContent();
    assertThat(alternative.getCount()).isEqualTo(2);
    assertThat(ClientsGateway.text(alternative.getBodyPart(0).getContent()))
        .isEqualTo("Thanks for your order.\n.a line that starts with a dot\nGr\u00fc\u00dfe, the shop\n");
    assertThat(ClientsGateway.text(alternative.getBodyPart(1).getContent()))
        .isEqualTo("<p>Thanks for your <b>order</b>.</p>");
  }
}
