package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 item 6 over real sockets: the LAN shim with 127.0.0.1/32 mapped to a key (From
 * rewrite on, bare newlines normalized). A client from 127.0.0.2 is outside every mapped network
 * and must AUTH, which is allowed there without TLS.
 */
class SmtpLanShimIT {

  private static final String MAILBOX = "scanner@lan.example";

  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int lanPort;
  private static String key;

  @BeforeAll
  static void start() {
    // The mapping names a key by id, so the key exists before the gateway that maps it: a first
    // gateway on the same database issues it, as an operator would before configuring the shim.
    TestGateway issuer = TestGateway.start();
    SmtpKit.Key issued;
    try (SmtpKit issuing = new SmtpKit(issuer)) {
      issuing.mailbox(MAILBOX);
      issued = issuing.key(MAILBOX);
    } finally {
      issuer.close();
    }
    key = issued.secret();
    lanPort = FreePort.next();
    gateway = TestGateway.start(Map.of(
        "POSTERN_PG_URL", issuer.pgUrl(),
        "POSTERN_MASTER_SECRET", issuer.masterSecret(),
        "POSTERN_SMTP_LAN_PORT", Integer.toString(lanPort),
        "POSTERN_SMTP_LAN_HOST", "127.0.0.1",
        "POSTERN_SMTP_LAN_NETWORKS", "127.0.0.1/32=" + issued.id(),
        "POSTERN_SMTP_LAN_REWRITE_FROM", "true",
        "POSTERN_SMTP_LAN_BARE_NEWLINES", "normalize"));
    kit = new SmtpKit(gateway);
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
  void aMappedDeviceSendsWithoutAuthAndItsFromIsRewrittenToTheKeysMailbox() throws Exception {
    String subject = "scan " + UUID.randomUUID();
    try (SmtpWire smtp = SmtpWire.connect(lanPort)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      assertThat(smtp.command("EHLO printer.lan").code()).isEqualTo(250);
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, "printer@device.local",
          "someone@elsewhere.example", SmtpKit.message("printer@device.local", subject)));
      Row row = kit.query("SELECT envelope_from, from_header, source FROM outbound_messages "
          + "WHERE id = $1::uuid", id).iterator().next();
      assertThat(row.getString("envelope_from")).isEqualTo(MAILBOX);
      assertThat(row.getString("from_header")).contains(MAILBOX).doesNotContain("device.local");
      assertThat(row.getString("source")).isEqualTo("smtp");
      // The device's own address is kept where replies go, never as the sender.
      assertThat(kit.inlineMime(id)).containsPattern("(?m)^From: <?" + MAILBOX)
          .doesNotContainPattern("(?im)^From:.*device\\.local");
    }
  }

  @Test
  void anUnmappedClientMustAuthBeforeMailAndMayDoSoWithoutTls() throws Exception {
    try (SmtpWire smtp = SmtpWire.connectFrom("127.0.0.2", lanPort)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      SmtpWire.Reply ehlo = smtp.command("EHLO device.lan");
      assertThat(ehlo.lines()).anyMatch(l -> l.startsWith("AUTH")).noneMatch(l -> l.equals("STARTTLS"));
      SmtpWire.Reply refused = smtp.command("MAIL FROM:<" + MAILBOX + ">");
      assertThat(refused.code()).as(refused.toString()).isEqualTo(530);
      assertThat(refused.text()).startsWith("5.7.0");
      assertThat(smtp.authPlain("postern", key).code()).isEqualTo(235);
      String subject = "authenticated " + UUID.randomUUID();
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, MAILBOX, "someone@elsewhere.example",
          SmtpKit.message(MAILBOX, subject)));
      assertThat(kit.messagesWithSubject(subject)).isEqualTo(1);
      assertThat(id).isNotBlank();
    }
  }

  @Test
  void withNormalizeABareLfMessageIsAcceptedAndOnlyCrlfDotCrlfEndsIt() throws Exception {
    String subject = "bare lf " + UUID.randomUUID();
    try (SmtpWire smtp = SmtpWire.connect(lanPort)) {
      assertThat(smtp.reply().code()).isEqualTo(220);
      assertThat(smtp.command("EHLO old-scanner.lan").code()).isEqualTo(250);
      assertThat(smtp.command("MAIL FROM:<" + MAILBOX + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<someone@elsewhere.example>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      // "\n.\n" would end the data for a lenient reader; here it is a line with a dot.
      smtp.send("From: <" + MAILBOX + ">\nSubject: " + subject + "\n\nfirst\n.\nXYZZY not a command\n"
          + "last\r\n.\r\n");
      String id = SmtpKit.queuedId(smtp.reply());
      // Had the data ended early, the XYZZY line would have been answered (500) before this.
      assertThat(smtp.command("NOOP").code()).isEqualTo(250);
      String mime = kit.inlineMime(id);
      assertThat(mime).contains("XYZZY not a command").contains("last");
      assertThat(mime).as("only CRLF line ends are stored").doesNotContainPattern("[^\r]\n");
    }
    assertThat(kit.messagesWithSubject(subject)).isEqualTo(1);
  }
}
