package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FaultProxy;
import dev.postern.support.FreePort;
import dev.postern.support.PgFixture;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md SMTP 1, 4, 8 and 10 over real sockets: hostile bytes reach the Netty codec through
 * the Vert.x socket and the {@code SmtpConnection} glue, and each is refused the way the codec's
 * and session's unit tests promise — with the connection closed where they say so, still
 * serving where they say so, and never a message stored from what was refused.
 */
class SmtpHostileInputIT {

  private static final String FROM = "app@hostile.example";
  /** A hosted mailbox the MX takes mail for. */
  private static final String MX_RCPT = "inbox@hostile.example";

  private static FaultProxy database;
  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int submissionPort;
  private static int lanPort;
  private static int mxPort;
  private static Path cert;
  private static String key;

  @BeforeAll
  static void start() {
    // The gateway reaches PostgreSQL through a proxy the test can hang: the LAN shim looks the
    // mapped key up at connect, so a hung database holds the greeting back for as long as needed.
    URI pg = URI.create(PgFixture.freshDatabaseUrl());
    database = FaultProxy.to(pg.getHost(), pg.getPort());
    String proxied = pg.getScheme() + "://" + pg.getRawUserInfo() + "@127.0.0.1:" + database.port()
        + pg.getRawPath();
    submissionPort = FreePort.next();
    lanPort = FreePort.next();
    mxPort = FreePort.next();
    gateway = TestGateway.start(Map.of(
        "POSTERN_MX_PORT", Integer.toString(mxPort),
        "POSTERN_PG_URL", proxied,
        "POSTERN_SMTP_PORT", Integer.toString(submissionPort),
        "POSTERN_SMTP_HOST", "127.0.0.1",
        "POSTERN_SMTP_LAN_PORT", Integer.toString(lanPort),
        "POSTERN_SMTP_LAN_HOST", "127.0.0.1",
        // An id no key has: the lookup happens at every connect and finds nothing.
        "POSTERN_SMTP_LAN_NETWORKS", "127.0.0.1/32=" + UUID.randomUUID()));
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    kit = new SmtpKit(gateway);
    kit.mailbox(FROM);
    kit.mailbox(MX_RCPT);
    key = kit.key(FROM).secret();
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
      if (database != null) {
        database.close();
      }
    }
  }

  @Test
  void commandsSentBeforeTheGreetingAreNeverAnsweredAndTheConnectionIsClosed() throws Exception {
    database.hang();
    try (SmtpWire smtp = SmtpWire.connect(lanPort)) {
      // RFC 5321 §3.1: the client waits for the greeting; this one does not.
      smtp.send("EHLO early.example\r\nMAIL FROM:<" + FROM + ">\r\n");
      database.pass();
      // Releasing the hang cuts the pending lookup, so the connection is refused either way:
      // 554 when the glue saw the early bytes first, 421 4.3.0 when the failed lookup won the
      // race. What must never happen is a greeting followed by a 250 to the early EHLO.
      SmtpWire.Reply first = smtp.reply();
      assertThat(first.code()).as(first.toString()).isIn(554, 421);
      if (first.code() == 554) {
        assertThat(first.text()).contains("before the greeting");
      }
      assertThat(smtp.closedByServer()).isTrue();
    } finally {
      database.pass();
    }
  }

  @Test
  void anHttpRequestIsRefusedAndClosed() throws Exception {
    try (SmtpWire smtp = greeted()) {
      smtp.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      SmtpWire.Reply refused = smtp.reply();
      assertThat(refused.code()).isEqualTo(554);
      assertThat(refused.text()).startsWith("5.5.1");
      assertThat(smtp.closedByServer()).isTrue();
    }
  }

  @Test
  void aTlsClientHelloBeforeStartTlsIsRefusedAndClosed() throws Exception {
    try (SmtpWire smtp = greeted()) {
      smtp.send(clientHello());
      assertThat(smtp.reply().code()).isEqualTo(554);
      assertThat(smtp.closedByServer()).isTrue();
    }
  }

  @Test
  void aNulByteInACommandIsRefusedAndTheSessionGoesOn() throws Exception {
    try (SmtpWire smtp = greeted()) {
      smtp.send("EHLO a\0b.example\r\n");
      SmtpWire.Reply refused = smtp.reply();
      assertThat(refused.code()).as(refused.toString()).isEqualTo(500);
      assertThat(refused.text()).startsWith("5.5.2");
      assertThat(smtp.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void aCommandOver512OctetsIs500AndTheSessionGoesOn() throws Exception {
    try (SmtpWire smtp = greeted()) {
      // RFC 5321 §4.5.3.1.4: 512 octets including CRLF is the most a command line may be.
      assertThat(smtp.command("NOOP " + "x".repeat(512 - 5 - 2)).code()).isEqualTo(250);
      SmtpWire.Reply tooLong = smtp.command("NOOP " + "x".repeat(513 - 5 - 2));
      assertThat(tooLong.code()).as(tooLong.toString()).isEqualTo(500);
      assertThat(smtp.command("NOOP").code()).isEqualTo(250);
      assertThat(smtp.command("EHLO still.example").code()).isEqualTo(250);
    }
  }

  @Test
  void aMegabyteWithoutANewlineIsRefusedAsItStreamsAndOthersAreServedMeanwhile() throws Exception {
    try (SmtpWire flood = greeted(); SmtpWire other = greeted()) {
      // The 500 arrives while the line is still being sent: the server did not wait for its end
      // (it is discarding it, not buffering it).
      flood.send("NOOP " + "x".repeat(600));
      assertThat(flood.reply().code()).isEqualTo(500);
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'y');
      for (int sent = 0; sent < 1024 * 1024; sent += chunk.length) {
        flood.send(chunk);
      }
      assertThat(other.command("NOOP").code()).as("another client meanwhile").isEqualTo(250);
      // The rest of the long line is dropped up to its CRLF; the next command is read as one.
      flood.send("\r\n");
      assertThat(flood.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void aBareLfInACommandIs521AndClosed() throws Exception {
    try (SmtpWire smtp = greeted()) {
      smtp.send("NOOP\n");
      SmtpWire.Reply refused = smtp.reply();
      assertThat(refused.code()).isEqualTo(521);
      assertThat(refused.text()).startsWith("5.5.2");
      assertThat(smtp.closedByServer()).isTrue();
    }
  }

  @Test
  void everySmugglingVariantInDataIs521ClosedAndNothingIsStored() throws Exception {
    // TESTING.md SMTP 1: each would end the data for a lenient server, and the second
    // transaction after it would be a second, forged message.
    for (String ending : List.of("\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n")) {
      String subject = "smuggle " + UUID.randomUUID();
      try (SmtpWire smtp = authenticated()) {
        smtp.command("MAIL FROM:<" + FROM + ">");
        smtp.command("RCPT TO:<someone@elsewhere.example>");
        assertThat(smtp.command("DATA").code()).isEqualTo(354);
        smtp.send("Subject: " + subject + "\r\n\r\nfirst" + ending
            + "MAIL FROM:<" + FROM + ">\r\nRCPT TO:<victim@elsewhere.example>\r\nDATA\r\n"
            + "Subject: " + subject + " forged\r\n\r\nforged\r\n.\r\n");
        SmtpWire.Reply refused = smtp.reply();
        assertThat(refused.code()).as("%s: %s", printable(ending), refused).isEqualTo(521);
        assertThat(smtp.closedByServer()).isTrue();
      }
      assertThat(kit.count("SELECT count(*) FROM outbound_messages WHERE subject LIKE $1",
          subject + "%")).as(printable(ending)).isZero();
    }
  }

  /**
   * The same smuggling defence and limits on the MX, where anyone may connect without AUTH: each
   * variant is 521 and closed with no inbound message kept; a bare LF in a command and a line
   * over 1000 octets are refused as on submission; a CRLF control on the MX is accepted.
   */
  @Test
  void theMxRefusesSmugglingBareLfAndLongLinesAsSubmissionDoes() throws Exception {
    for (String ending : List.of("\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n")) {
      String subject = "mx smuggle " + UUID.randomUUID();
      try (SmtpWire smtp = mxGreeted()) {
        smtp.command("MAIL FROM:<sender@elsewhere.example>");
        assertThat(smtp.command("RCPT TO:<" + MX_RCPT + ">").code()).isEqualTo(250);
        assertThat(smtp.command("DATA").code()).isEqualTo(354);
        smtp.send("Subject: " + subject + "\r\n\r\nfirst" + ending
            + "MAIL FROM:<x@elsewhere.example>\r\nRCPT TO:<" + MX_RCPT + ">\r\nDATA\r\n"
            + "Subject: " + subject + " forged\r\n\r\nforged\r\n.\r\n");
        SmtpWire.Reply refused = smtp.reply();
        assertThat(refused.code()).as("%s: %s", printable(ending), refused).isEqualTo(521);
        assertThat(smtp.closedByServer()).isTrue();
      }
      assertThat(kit.count("SELECT count(*) FROM inbound_raw WHERE encode(mime_inline, 'escape')"
          + " LIKE $1", "%" + subject + "%")).as(printable(ending)).isZero();
    }
    try (SmtpWire smtp = mxGreeted()) {
      SmtpWire.Reply tooLong = SmtpKit.transaction(smtp, "sender@elsewhere.example", MX_RCPT,
          "Subject: long\r\n\r\n" + "z".repeat(1001 - 2));
      assertThat(tooLong.code()).as(tooLong.toString()).isEqualTo(500);
      String control = "mx control " + UUID.randomUUID();
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, "sender@elsewhere.example", MX_RCPT,
          "Subject: " + control + "\r\n\r\nbody"));
      assertThat(kit.count("SELECT count(*) FROM inbound_raw WHERE id = $1::uuid", id)).isEqualTo(1);
      smtp.send("NOOP\n");
      assertThat(smtp.reply().code()).isEqualTo(521);
      assertThat(smtp.closedByServer()).isTrue();
    }
    assertThat(kit.count("SELECT count(*) FROM inbound_raw")).as("only the control").isEqualTo(1);
  }

  @Test
  void aDataLineOver1000OctetsRefusesTheMessageAfterTheDotAndTheSessionGoesOn() throws Exception {
    String subject = "long line " + UUID.randomUUID();
    try (SmtpWire smtp = authenticated()) {
      // RFC 5321 §4.5.3.1.6: 1000 octets including CRLF.
      SmtpWire.Reply refused = SmtpKit.transaction(smtp, FROM, "someone@elsewhere.example",
          "Subject: " + subject + "\r\n\r\n" + "z".repeat(1001 - 2));
      assertThat(refused.code()).as(refused.toString()).isEqualTo(500);
      assertThat(refused.text()).startsWith("5.5.6");
      String fits = "fits " + UUID.randomUUID();
      SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, "someone@elsewhere.example",
          "From: <" + FROM + ">\r\nSubject: " + fits + "\r\n\r\n" + "z".repeat(1000 - 2)));
      assertThat(kit.messagesWithSubject(fits)).isEqualTo(1);
    }
    assertThat(kit.messagesWithSubject(subject)).isZero();
  }

  @Test
  void quitInsideDataIsData() throws Exception {
    String subject = "quit inside " + UUID.randomUUID();
    try (SmtpWire smtp = authenticated()) {
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, "someone@elsewhere.example",
          "From: <" + FROM + ">\r\nSubject: " + subject + "\r\n\r\nQUIT\r\nRSET\r\nstill data"));
      assertThat(kit.inlineMime(id)).contains("\r\nQUIT\r\nRSET\r\nstill data");
      assertThat(smtp.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void dataSentBeforeA354IsReadAsCommandsAndNothingIsStored() throws Exception {
    String subject = "no 354 " + UUID.randomUUID();
    try (SmtpWire smtp = authenticated()) {
      smtp.command("MAIL FROM:<" + FROM + ">");
      // A malformed recipient: no recipient, so DATA is refused and no 354 comes.
      assertThat(smtp.command("RCPT TO:<not an address>").code()).isEqualTo(553);
      smtp.send("DATA\r\nSubject: " + subject + "\r\n\r\nbody\r\n.\r\n");
      assertThat(smtp.reply().code()).as("DATA").isEqualTo(503);
      assertThat(smtp.reply().code()).as("Subject line").isEqualTo(500);
      assertThat(smtp.reply().code()).as("empty line").isEqualTo(500);
      assertThat(smtp.reply().code()).as("body line").isEqualTo(500);
      assertThat(smtp.reply().code()).as("dot").isEqualTo(500);
      assertThat(smtp.command("NOOP").code()).isEqualTo(250);
    }
    assertThat(kit.messagesWithSubject(subject)).isZero();
  }

  @Test
  void pipelinedDataAfterAnAcceptedDataWaitsForThe354AndIsOneMessage() throws Exception {
    String subject = "pipelined " + UUID.randomUUID();
    try (SmtpWire smtp = authenticated()) {
      smtp.send("MAIL FROM:<" + FROM + ">\r\nRCPT TO:<someone@elsewhere.example>\r\nDATA\r\n"
          + "From: <" + FROM + ">\r\nSubject: " + subject + "\r\n\r\nbody\r\n.\r\nNOOP\r\n");
      assertThat(smtp.reply().code()).isEqualTo(250);
      assertThat(smtp.reply().code()).isEqualTo(250);
      assertThat(smtp.reply().code()).isEqualTo(354);
      SmtpKit.queuedId(smtp.reply());
      assertThat(smtp.reply().code()).as("the NOOP after the dot").isEqualTo(250);
    }
    assertThat(kit.messagesWithSubject(subject)).isEqualTo(1);
  }

  @Test
  void aPipelinedNoopAndRsetFloodIsAnsweredInFullAndOthersAreServedMeanwhile() throws Exception {
    int commands = 100_000;
    try (SmtpWire flood = greeted(); SmtpWire other = greeted()) {
      flood.command("EHLO flood.example");
      byte[] noop = "NOOP\r\n".getBytes(StandardCharsets.US_ASCII);
      byte[] rset = "RSET\r\n".getBytes(StandardCharsets.US_ASCII);
      Thread writer = new Thread(() -> {
        try {
          ByteBuffer batch = ByteBuffer.allocate(6 * 1000);
          for (int i = 0; i < commands; i++) {
            batch.put(i % 10 == 9 ? rset : noop);
            if (!batch.hasRemaining()) {
              flood.send(Arrays.copyOf(batch.array(), batch.position()));
              batch.clear();
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "noop-flood-writer");
      writer.start();
      for (int i = 0; i < commands; i++) {
        SmtpWire.Reply reply = flood.reply();
        assertThat(reply.code()).as("reply %d", i).isEqualTo(250);
        if (i == commands / 2) {
          assertThat(other.command("NOOP").code()).as("another client mid-flood").isEqualTo(250);
        }
      }
      writer.join(10_000);
      assertThat(flood.command("NOOP").code()).isEqualTo(250);
    }
  }

  private static SmtpWire greeted() throws Exception {
    SmtpWire smtp = SmtpWire.connect(submissionPort, cert, false);
    assertThat(smtp.reply().code()).isEqualTo(220);
    return smtp;
  }

  private static SmtpWire mxGreeted() throws Exception {
    SmtpWire smtp = SmtpWire.connect(mxPort);
    assertThat(smtp.reply().code()).isEqualTo(220);
    assertThat(smtp.command("EHLO mta.example").code()).isEqualTo(250);
    return smtp;
  }

  private static SmtpWire authenticated() throws Exception {
    SmtpWire smtp = greeted();
    assertThat(smtp.startTlsAndLogin(key).code()).isEqualTo(235);
    return smtp;
  }

  /** The first flight of a real TLS client: a ClientHello record (content type 0x16). */
  private static byte[] clientHello() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", submissionPort);
    engine.setUseClientMode(true);
    engine.beginHandshake();
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    byte[] hello = Arrays.copyOf(out.array(), out.position());
    assertThat(hello[0]).isEqualTo((byte) 0x16);
    return hello;
  }

  private static String printable(String ending) {
    return ending.replace("\r", "\\r").replace("\n", "\\n");
  }
}
