package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.Eventually;
import dev.postern.support.PrivatePostfix;
import dev.postern.support.SmtpWire;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 "done when": a Postfix satellite (a null client relaying everything to a smarthost)
 * with Postern as its {@code relayhost}, as an operator sets one up: SASL with the key as the
 * password, {@code smtp_tls_security_level = encrypt} with our certificate as its CA. A private
 * instance ({@link PrivatePostfix}, as bench/run.sh runs one) takes a message on
 * its own loopback smtpd and relays it through us; Postfix's log shows our 250 with the id.
 * Needs root and Debian's postfix + libsasl2-modules: skipped, saying why, without them.
 */
class PostfixSatelliteIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern SENT = Pattern.compile(
      "relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:\\d+, .*status=sent \\((250 2\\.0\\.0 Ok: queued as [0-9a-f-]{36})\\)");

  @TempDir static Path work;
  private static ClientsGateway postern;
  private static PrivatePostfix postfix;
  private static int smtpdPort;

  @BeforeAll
  static void start() throws Exception {
    String unavailable = PrivatePostfix.unavailable();
    assumeTrue(unavailable == null, () -> unavailable + ": no satellite to relay through us");
    assumeTrue(sasl2Plain(), "libsasl2-modules is not installed: Postfix's SASL client has no PLAIN");
    postern = ClientsGateway.start();
    startPostfix();
  }

  @AfterAll
  static void stop() {
    try {
      if (postfix != null) {
        postfix.close();
      }
    } finally {
      if (postern != null) {
        postern.close();
      }
    }
  }

  @Test
  void aMessageTheSatelliteTakesIsRelayedThroughUsWithSaslOverTls() throws Exception {
    String subject = "postfix satellite";
    String message = "From: Shop <app@shop.example>\r\n"
        + "To: Customer <customer@elsewhere.example>\r\n"
        + "Subject: " + subject + "\r\n"
        + "X-Order: 42\r\n"
        + "\r\n"
        + "Thanks for your order.\r\n"
        + "..a line that starts with a dot\r\n";
    try (SmtpWire smtp = SmtpWire.connect(smtpdPort)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      assertThat(smtp.command("EHLO app.example").code()).isEqualTo(250);
      assertThat(smtp.command("MAIL FROM:<app@shop.example>").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<customer@elsewhere.example>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      assertThat(smtp.command(message + ".").code()).isEqualTo(250);
      smtp.command("QUIT");
    }

    String[] sent = new String[1];
    Eventually.until(WAIT, () -> {
      Matcher m = SENT.matcher(maillog());
      if (m.find()) {
        sent[0] = m.group(1);
      }
      return sent[0] != null;
    }, () -> "Postfix did not relay through us; its log:\n" + maillog());
    String log = maillog();
    assertThat(log).as(log).contains("TLS connection established to 127.0.0.1[127.0.0.1]");
    UUID id = ClientsGateway.queuedId(sent[0]);

    JsonObject email = postern.email(id);
    assertThat(email.getString("subject")).isEqualTo(subject);
    assertThat(email.getString("from")).isEqualTo("Shop <app@shop.example>");
    assertThat(email.getJsonArray("to")).containsExactly("Customer <customer@elsewhere.example>");

    // What Postfix sent us (its Received, Message-ID and Date added, as an MTA does) arrives at
    // the relay as it was accepted; the client's own fields and body are those it wrote.
    String relayed = postern.relayedUnchanged(id);
    assertThat(relayed).startsWith("Received: from app.example");
    assertThat(relayed).contains("\r\nFrom: Shop <app@shop.example>\r\nTo: Customer <customer@elsewhere.example>\r\n"
        + "Subject: " + subject + "\r\nX-Order: 42\r\n");
    assertThat(relayed).endsWith("\r\n\r\nThanks for your order.\r\n.a line that starts with a dot\r\n");
    MimeMessage parsed = ClientsGateway.parsed(relayed);
    assertThat(parsed.getMessageID()).endsWith("@satellite.localdomain>");
  }

  private static void startPostfix() throws IOException {
    postfix = PrivatePostfix.create(work);
    // Postfix's smtp client runs as the postfix user: it gets its own readable copy of our cert.
    Path ca = Files.copy(postern.cert(), postfix.etc().resolve("postern-ca.pem"));
    Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
    postfix.start(List.of(
        "myhostname = satellite.localdomain",
        // A null client: nothing is local, everything goes to the relayhost.
        "mydestination =",
        "local_recipient_maps =",
        "smtpd_recipient_restrictions = permit_mynetworks, reject",
        "relayhost = [127.0.0.1]:" + postern.submissionPort(),
        "smtp_sasl_auth_enable = yes",
        // static: answers every lookup with the same user:password, no map file to build.
        "smtp_sasl_password_maps = static:" + ClientsGateway.USER + ":" + postern.key(),
        "smtp_sasl_security_options = noanonymous",
        "smtp_sasl_tls_security_options = noanonymous",
        "smtp_tls_security_level = encrypt",
        "smtp_tls_CAfile = " + ca,
        "smtp_tls_loglevel = 1"));
    smtpdPort = postfix.smtpdPort();
  }

  private static String maillog() {
    return postfix.maillog();
  }

  /** Whether Cyrus SASL's PLAIN module (Debian libsasl2-modules) is installed. */
  private static boolean sasl2Plain() {
    try (var dirs = Files.list(Path.of("/usr/lib"))) {
      return dirs.map(d -> d.resolve("sasl2")).filter(Files::isDirectory).anyMatch(d -> {
        try (var libs = Files.list(d)) {
          return libs.anyMatch(p -> p.getFileName().toString().startsWith("libplain.so"));
        } catch (IOException e) {
          return false;
        }
      });
    } catch (IOException e) {
      return false;
    }
  }
}
