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
 * Issue #12 "done when": PHPMailer as Debian ships it ({@code php-cli} + {@code libphp-phpmailer}),
 * configured as WordPress SMTP plugins do — SMTPAuth, {@code SMTPSecure = 'tls'} (STARTTLS) on the
 * submission port, the certificate verified. PHPMailer reads our {@code 250 2.0.0 Ok: queued as}
 * as it reads Postfix's, so its transaction id is the id over REST. Skipped, saying why, only
 * where php or PHPMailer is not installed.
 */
class PhpMailerIT {

  private static final Path PHPMAILER = Path.of("/usr/share/php/libphp-phpmailer/src/PHPMailer.php");
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

  @TempDir static Path dir;
  private static ClientsGateway postern;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(ExternalProgram.runs("php", "--version"),
        "php is not installed: this test runs PHPMailer (Debian php-cli + libphp-phpmailer)");
    assumeTrue(Files.isRegularFile(PHPMAILER),
        "PHPMailer is not installed at " + PHPMAILER + " (Debian libphp-phpmailer)");
    try (InputStream script = PhpMailerIT.class.getResourceAsStream("/smtp-clients/phpmailer_send.php")) {
      Files.write(dir.resolve("phpmailer_send.php"), script.readAllBytes());
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
  void smtpSecureTlsWithAuthSendsAMessageThatIsStoredAndRelayedAsSent() throws Exception {
    String subject = "phpmailer starttls";
    String stdout = ExternalProgram.succeed(dir, RUN_TIMEOUT, Map.of(
        "POSTERN_SMTP_HOST", "127.0.0.1",
        "POSTERN_SMTP_PORT", Integer.toString(postern.submissionPort()),
        "POSTERN_SMTP_CA", postern.cert().toString(),
        "POSTERN_KEY", postern.key(),
        "SUBJECT", subject), "php", "phpmailer_send.php");
    JsonObject outcome = new JsonObject(stdout.lines().reduce((a, b) -> b).orElseThrow());
    assertThat(outcome.getBoolean("ok")).as(outcome.getString("error")).isTrue();

    UUID id = UUID.fromString(outcome.getString("transactionId"));
    JsonObject email = postern.email(id);
    assertThat(email.getString("subject")).isEqualTo(subject);
    assertThat(email.getString("from")).isEqualTo("Shop <app@shop.example>");
    assertThat(email.getJsonArray("to")).containsExactly("Customer <customer@elsewhere.example>");

    String relayed = postern.relayedUnchanged(id);
    String sent = new String(Base64.getDecoder().decode(outcome.getString("sent")), StandardCharsets.UTF_8);
    // PHPMailer's SMTP::data() sends the message line by line, and after its final line break
    // an empty last line: on the wire the message is getSentMIMEMessage() and one more CRLF.
    ClientsGateway.assertSameAsSent(sent + "\r\n", relayed);
    MimeMessage message = ClientsGateway.parsed(relayed);
    assertThat(message.getSubject()).isEqualTo(subject);
    assertThat(message.getHeader("X-Order", null)).isEqualTo("42");
    assertThat(message.getHeader("X-Mailer", null)).startsWith("PHPMailer");
    MimeMultipart alternative = (MimeMultipart) message.getContent();
    assertThat(ClientsGateway.text(alternative.getBodyPart(0).getContent()))
        .isEqualTo("Thanks for your order.\n.a line that starts with a dot\nGr\u00fc\u00dfe, the shop\n");
    assertThat(ClientsGateway.text(alternative.getBodyPart(1).getContent()))
        .contains("<p>Thanks for your <b>order</b>.</p>");
  }
}
