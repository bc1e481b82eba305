package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #12 "done when", TESTING.md SMTP 1: swaks {@code --no-data-fixup} sends each SMTP
 * smuggling variant (an end-of-data other than CRLF.CRLF, or a bare LF anywhere) as a DATA that
 * would hide a second transaction after it. Sent over the submission port as a real client would
 * (STARTTLS verified, AUTH PLAIN with the key), so the refusal is the one a logged-in client meets.
 * Each is refused with 521 5.5.2 and the connection closed (RFC 5321 §4.1.1.4: only CRLF.CRLF ends
 * DATA; Postfix's {@code smtpd_forbid_bare_newline}); neither the first nor the hidden message is
 * stored. A control sent the same way with CRLF line ends is accepted, so the negative checks
 * stand on a positive one. Skipped, saying why, only where swaks is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwaksSmugglingIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);
  private static final String HIDDEN = "MAIL FROM:<app@shop.example>\r\n"
      + "RCPT TO:<victim@elsewhere.example>\r\n"
      + "DATA\r\n"
      + "From: Shop <app@shop.example>\r\nTo: victim@elsewhere.example\r\nSubject: smuggled\r\n\r\n"
      + "the hidden second message\r\n"
      // swaks adds the CRLF after this last line: the hidden message's own CRLF.CRLF.
      + ".";

  @TempDir static Path dir;
  private static ClientsGateway postern;

  @BeforeAll
  static void start() {
    assumeTrue(ExternalProgram.runs("swaks", "--version"),
        "swaks is not installed: this test sends the smuggling variants with swaks --no-data-fixup");
    postern = ClientsGateway.start();
  }

  @AfterAll
  static void stop() {
    if (postern != null) {
      postern.close();
    }
  }

  /**
   * @param name the variant, as TESTING.md writes it
   * @param ending what follows the first message's text, in Java escapes ({@code \n}, {@code \r})
   */
  @Order(1)
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "LF.LF | \\n.\\n",
      "LF.CRLF | \\n.\\r\\n",
      "CRLF.LF | \\r\\n.\\n",
      "CR.CRLF | \\r.\\r\\n",
      "bare LF inside a line, then CRLF.CRLF | \\nX-Injected: yes\\r\\n.\\r\\n"})
  void aSmugglingVariantIsRefusedAndTheConnectionClosed(String name, String ending) {
    String data = head("smuggle " + name) + "the first message" + unescape(ending) + HIDDEN;
    ExternalProgram.Outcome swaks = swaks(data);
    assertThat(swaks.exitCode()).as(swaks.toString()).isNotZero();
    assertThat(swaks.stdout()).as(swaks.toString())
        .contains("<~* 521 5.5.2")
        .doesNotContain("queued as");
    // swaks's QUIT after the 521 finds the connection already closed by us.
    assertThat(swaks.stderr()).as(swaks.toString()).contains("Remote host closed connection");
  }

  @Order(2)
  @Test
  void theSameMessageWithCrlfIsAcceptedAndOnlyItIsStored() {
    String data = head("smuggle control") + "the first message\r\n.";
    ExternalProgram.Outcome swaks = swaks(data);
    assertThat(swaks.exitCode()).as(swaks.toString()).isZero();
    UUID id = ClientsGateway.queuedId(swaks.stdout());
    assertThat(postern.email(id).getString("subject")).isEqualTo("smuggle control");
    // The control is stored: had any variant been accepted (first or hidden message), it would be
    // stored too, by the same durable commit that came before each reply.
    assertThat(postern.storedMessages()).isEqualTo(1);
  }

  private static String head(String subject) {
    return "From: Shop <app@shop.example>\r\nTo: customer@elsewhere.example\r\nSubject: "
        + subject + "\r\n\r\n";
  }

  private static String unescape(String escaped) {
    return escaped.replace("\\r", "\r").replace("\\n", "\n");
  }

  private static ExternalProgram.Outcome swaks(String data) {
    try {
      Path file = Files.writeString(dir.resolve(UUID.randomUUID() + ".eml"), data, StandardCharsets.UTF_8);
      return ExternalProgram.run(dir, RUN_TIMEOUT, Map.of(), "swaks",
          "--server", "127.0.0.1", "--port", Integer.toString(postern.submissionPort()),
          "--tls", "--tls-verify", "--tls-ca-path", postern.cert().toString(),
          "--auth", "PLAIN", "--auth-user", ClientsGateway.USER, "--auth-password", postern.key(),
          "--from", "app@shop.example", "--to", "customer@elsewhere.example",
          "--timeout", "20s", "--no-data-fixup", "--data", "@" + file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
