package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
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
 * Issue #12 "done when": Python's {@code smtplib} as the seeds' examples use it — {@code starttls()}
 * then {@code login()} on the submission port, and {@code SMTP_SSL} on the implicit-TLS port, each
 * verifying the gateway's certificate. The message is then readable over REST and reaches the
 * relay as smtplib sent it. Skipped, saying why, only where python3 is not installed.
 */
class PythonSmtplibIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

  @TempDir static Path dir;
  private static ClientsGateway postern;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(ExternalProgram.runs("python3", "--version"),
        "python3 is not installed: this test runs Python's smtplib against the SMTP listeners");
    try (InputStream script = PythonSmtplibIT.class.getResourceAsStream("/smtp-clients/smtplib_send.py")) {
      Files.write(dir.resolve("smtplib_send.py"), script.readAllBytes());
    }
    postern = ClientsGateway.start();
  }

  @AfterAll
  static void stop() {
    if (postern != null) {
      postern.close();
    }
  }

  @Test
  void starttlsThenLoginSendsAMessageThatIsStoredAndRelayedAsSent() throws Exception {
    sendAndFollow("starttls", postern.submissionPort(), "smtplib starttls");
  }

  @Test
  void smtpSslOnTheImplicitTlsPortSendsAMessageThatIsStoredAndRelayedAsSent() throws Exception {
    sendAndFollow("ssl", postern.smtpsPort(), "smtplib SMTP_SSL");
  }

  private static void sendAndFollow(String mode, int port, String subject) throws Exception {
    String stdout = ExternalProgram.succeed(dir, RUN_TIMEOUT, Map.of(
        "POSTERN_SMTP_HOST", "127.0.0.1",
        "POSTERN_SMTP_PORT", Integer.toString(port),
        "POSTERN_SMTP_MODE", mode,
        "POSTERN_SMTP_CA", postern.cert().toString(),
        "POSTERN_KEY", postern.key(),
        "SUBJECT", subject), "python3", "smtplib_send.py");
    JsonObject outcome = new JsonObject(stdout.lines().reduce((a, b) -> b).orElseThrow());
    assertThat(outcome.getJsonObject("refused")).as("recipients smtplib saw refused").isEmpty();
    String sent = new String(Base64.getDecoder().decode(outcome.getString("sent")), StandardCharsets.UTF_8);

    // smtplib's send_message does not show the 250's text: the message is found by subject.
    UUID id = postern.idBySubject(subject);
    JsonObject email = postern.email(id);
    assertThat(email.getString("subject")).isEqualTo(subject);
    assertThat(email.getString("from")).isEqualTo("Shop <app@shop.example>");
    assertThat(email.getJsonArray("to")).containsExactly("Customer <customer@elsewhere.example>");

    String relayed = postern.relayedUnchanged(id);
    ClientsGateway.assertSameAsSent(sent, relayed);
    MimeMessage message = ClientsGateway.parsed(relayed);
    assertThat(message.getSubject()).isEqualTo(subject);
    assertThat(message.getHeader("X-Order", null)).isEqualTo("42");
    assertThat(ClientsGateway.text(message.getContent()))
        .isEqualTo("Thanks for your order.\n.a line that starts with a dot\nGr\u00fc\u00dfe, the shop\n");
  }
}
