package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 "done when": curl as its users send mail — {@code --url smtp://… --ssl-reqd} (STARTTLS
 * required) and {@code smtps://…} (implicit TLS), {@code --cacert}, {@code --user} with the key as
 * the password, {@code --upload-file} of a message without Message-ID or Date. {@code -v} shows
 * the 250 with the id. curl sends the file as it is: what the relay receives is that file with
 * only a Message-ID and a Date added. Skipped, saying why, only where curl is not installed.
 */
class CurlSmtpIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);

  @TempDir static Path dir;
  private static ClientsGateway postern;

  @BeforeAll
  static void start() {
    assumeTrue(ExternalProgram.runs("curl", "--version"),
        "curl is not installed: this test sends with curl's SMTP support");
    postern = ClientsGateway.start();
  }

  @AfterAll
  static void stop() {
    if (postern != null) {
      postern.close();
    }
  }

  @Test
  void smtpUrlWithSslReqdUsesStartTls() throws Exception {
    send("smtp://127.0.0.1:" + postern.submissionPort(), "curl smtp ssl-reqd", "--ssl-reqd");
  }

  @Test
  void smtpsUrlUsesImplicitTls() throws Exception {
    send("smtps://127.0.0.1:" + postern.smtpsPort(), "curl smtps");
  }

  private static void send(String url, String subject, String... extra) throws Exception {
    String file = "From: Shop <app@shop.example>\r\n"
        + "To: Customer <customer@elsewhere.example>\r\n"
        + "Subject: " + subject + "\r\n"
        + "X-Order: 42\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "\r\n"
        + "Thanks for your order.\r\n"
        + ".a line that starts with a dot\r\n"
        + "Gr\u00fc\u00dfe, the shop\r\n";
    Path eml = Files.writeString(dir.resolve(UUID.randomUUID() + ".eml"), file, StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v",
        "--url", url, "--cacert", postern.cert().toString(),
        "--user", ClientsGateway.USER + ":" + postern.key(),
        "--mail-from", "app@shop.example", "--mail-rcpt", "customer@elsewhere.example",
        "--upload-file", eml.toString()));
    command.addAll(List.of(extra));
    ExternalProgram.Outcome outcome = ExternalProgram.run(dir, RUN_TIMEOUT, Map.of(),
        command.toArray(String[]::new));
    assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
    // curl -v shows the server's lines on stderr as "< 250 …".
    String queued = outcome.stderr().lines().filter(l -> l.startsWith("< 250 2.0.0 Ok: queued as"))
        .findFirst().orElseThrow(() -> new AssertionError("no 250 queued line:\n" + outcome));
    UUID id = ClientsGateway.queuedId(queued);

    JsonObject email = postern.email(id);
    assertThat(email.getString("subject")).isEqualTo(subject);
    assertThat(email.getJsonArray("to")).containsExactly("Customer <customer@elsewhere.example>");

    String relayed = postern.relayedUnchanged(id);
    ClientsGateway.assertSameAsSent(file, relayed);
    assertThat(ClientsGateway.header(relayed, "Message-ID")).matches("<[^@>]+@shop\\.example>");
    assertThat(ClientsGateway.header(relayed, "Date")).isNotBlank();
  }
}
