package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md SMTP 5, 6 and 9 over real sockets: SIZE at MAIL and during DATA (nothing kept: no
 * row, no blob), the recipient limit, path lengths, the per-address connection limit and the
 * idle timeout, each with other clients unaffected.
 */
class SmtpLimitsIT {

  private static final String FROM = "app@limits.example";
  private static final int MAX_MESSAGE_BYTES = 400_000;
  private static final int PER_ADDRESS = 4;

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
            .put("max_message_bytes", MAX_MESSAGE_BYTES)
            .put("max_connections_per_address", PER_ADDRESS)
            .put("idle_timeout_seconds", 2)));
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    kit = new SmtpKit(gateway);
    kit.mailbox(FROM);
    key = kit.key(FROM).secret();
  }

  /**
   * With only {@value #PER_ADDRESS} connections per address, a test that starts while the server
   * has not yet seen the previous test's connections close is refused 421 (seen in a CI run):
   * every test starts from no open session.
   */
  @BeforeEach
  void earlierConnectionsReleased() {
    Eventually.until(Duration.ofSeconds(10), () -> openSessions() == 0, () -> "open SMTP sessions");
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
  void aDeclaredSizeOverTheLimitIs552AtMail() throws Exception {
    try (SmtpWire smtp = authenticated()) {
      SmtpWire.Reply refused = smtp.command("MAIL FROM:<" + FROM + "> SIZE=" + (MAX_MESSAGE_BYTES + 1));
      assertThat(refused.code()).as(refused.toString()).isEqualTo(552);
      assertThat(refused.text()).startsWith("5.3.4");
      assertThat(smtp.command("MAIL FROM:<" + FROM + "> SIZE=" + MAX_MESSAGE_BYTES).code()).isEqualTo(250);
    }
  }

  @Test
  void dataOverTheLimitIs552AfterTheDotAndNothingIsKept() throws Exception {
    String subject = "too big " + UUID.randomUUID();
    long rowsBefore = kit.messages();
    long blobsBefore = kit.blobFiles();
    try (SmtpWire smtp = authenticated()) {
      // Above the 256 KiB inline limit, so the message would stream to the blob store.
      String body = ("w".repeat(78) + "\r\n").repeat(MAX_MESSAGE_BYTES / 80 + 100);
      SmtpWire.Reply refused = SmtpKit.transaction(smtp, FROM, "someone@elsewhere.example",
          SmtpKit.message(FROM, subject) + "\r\n" + body);
      assertThat(refused.code()).as(refused.toString()).isEqualTo(552);
      assertThat(refused.text()).startsWith("5.3.4");
      // The session goes on: a message within the limit, also above the inline limit, is kept.
      String fits = "fits " + UUID.randomUUID();
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, "someone@elsewhere.example",
          SmtpKit.message(FROM, fits) + "\r\n" + body.substring(0, 300_000)));
      assertThat(kit.count("SELECT count(*) FROM outbound_messages WHERE id = $1::uuid AND blob_key IS NOT NULL", id))
          .as("the message that fits went to the blob store").isEqualTo(1);
    }
    assertThat(kit.messagesWithSubject(subject)).isZero();
    assertThat(kit.messages()).isEqualTo(rowsBefore + 1);
    Eventually.untilAsserted(Duration.ofSeconds(10),
        () -> assertThat(kit.blobFiles()).as("blobs: only the accepted one").isEqualTo(blobsBefore + 1));
  }

  @Test
  void theRecipientsPastOneHundredAre452AndTheHundredAreSentTo() throws Exception {
    try (SmtpWire smtp = authenticated()) {
      assertThat(smtp.command("MAIL FROM:<" + FROM + ">").code()).isEqualTo(250);
      for (int i = 1; i <= 100; i++) {
        assertThat(smtp.command("RCPT TO:<r" + i + "@elsewhere.example>").code()).as("rcpt %d", i)
            .isEqualTo(250);
      }
      SmtpWire.Reply excess = smtp.command("RCPT TO:<r101@elsewhere.example>");
      assertThat(excess.code()).as(excess.toString()).isEqualTo(452);
      assertThat(excess.text()).startsWith("4.5.3");
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      String id = SmtpKit.queuedId(smtp.command(SmtpKit.message(FROM, "hundred") + "\r\n."));
      assertThat(kit.count("SELECT count(*) FROM outbound_recipients WHERE message_id = $1::uuid", id))
          .isEqualTo(100);
    }
  }

  @Test
  void aPathOf256OctetsIsAcceptedAnd257Refused() throws Exception {
    try (SmtpWire smtp = authenticated()) {
      assertThat(smtp.command("MAIL FROM:<" + FROM + ">").code()).isEqualTo(250);
      String longest = address(254); // "<" + 254 + ">" = 256 octets (RFC 5321 §4.5.3.1.3)
      SmtpWire.Reply fits = smtp.command("RCPT TO:<" + longest + ">");
      assertThat(fits.code()).as(fits.toString()).isEqualTo(250);
      SmtpWire.Reply tooLong = smtp.command("RCPT TO:<" + address(255) + ">");
      assertThat(tooLong.code()).as(tooLong.toString()).isEqualTo(501);
      assertThat(tooLong.text()).startsWith("5.1.3");
      assertThat(smtp.command("RSET").code()).isEqualTo(250);
    }
  }

  @Test
  void oneConnectionMoreThanThePerAddressLimitIs421AndTheOthersAreServed() throws Exception {
    List<SmtpWire> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        SmtpWire smtp = SmtpWire.connect(port, cert, false);
        open.add(smtp);
        assertThat(smtp.reply().code()).isEqualTo(220);
      }
      try (SmtpWire oneMore = SmtpWire.connect(port, cert, false)) {
        SmtpWire.Reply refused = oneMore.reply();
        assertThat(refused.code()).as(refused.toString()).isEqualTo(421);
        assertThat(oneMore.closedByServer()).isTrue();
      }
      for (SmtpWire smtp : open) {
        assertThat(smtp.command("NOOP").code()).isEqualTo(250);
      }
    } finally {
      open.forEach(SmtpWire::close);
    }
  }

  @Test
  void aSilentClientAndAByteASecondClientAreTimedOutAndANormalOneIsNot() throws Exception {
    ScheduledExecutorService clients = Executors.newScheduledThreadPool(2);
    try (SmtpWire silent = greeted(); SmtpWire trickle = greeted(); SmtpWire normal = greeted()) {
      trickle.setReadTimeoutMillis(15_000);
      silent.setReadTimeoutMillis(15_000);
      // One byte every 500 ms of a command line that never ends: bytes arrive, no command does.
      clients.scheduleAtFixedRate(() -> {
        try {
          trickle.send("N");
        } catch (Exception ignored) {
          // closed by the server: the test reads that below
        }
      }, 0, 500, TimeUnit.MILLISECONDS);
      // The normal client talks every 500 ms; its replies are read at the end.
      int[] noops = new int[1];
      clients.scheduleAtFixedRate(() -> {
        try {
          normal.send("NOOP\r\n");
          noops[0]++;
        } catch (Exception ignored) {
          // reported by the reads below
        }
      }, 0, 500, TimeUnit.MILLISECONDS);

      SmtpWire.Reply silentEnd = silent.reply();
      assertThat(silentEnd.code()).as(silentEnd.toString()).isEqualTo(421);
      assertThat(silentEnd.text()).startsWith("4.4.2");
      assertThat(silent.closedByServer()).isTrue();
      SmtpWire.Reply trickleEnd = trickle.reply();
      assertThat(trickleEnd.code()).as(trickleEnd.toString()).isEqualTo(421);
      assertThat(trickleEnd.text()).startsWith("4.4.2");
      assertThat(trickle.closedByServer()).isTrue();

      clients.shutdownNow();
      clients.awaitTermination(5, TimeUnit.SECONDS);
      for (int i = 0; i < noops[0]; i++) {
        assertThat(normal.reply().code()).as("normal client's NOOP %d", i).isEqualTo(250);
      }
      assertThat(noops[0]).as("NOOPs the normal client sent while the others timed out")
          .isGreaterThanOrEqualTo(4);
      assertThat(normal.command("NOOP").code()).isEqualTo(250);
    } finally {
      clients.shutdownNow();
    }
  }

  private static SmtpWire greeted() throws Exception {
    SmtpWire smtp = SmtpWire.connect(port, cert, false);
    assertThat(smtp.reply().code()).isEqualTo(220);
    return smtp;
  }

  private static SmtpWire authenticated() throws Exception {
    SmtpWire smtp = greeted();
    assertThat(smtp.startTlsAndLogin(key).code()).isEqualTo(235);
    return smtp;
  }

  /** An address of exactly {@code length} octets: a 64-octet local part, labels of ≤ 60. */
  private static String address(int length) {
    StringBuilder domain = new StringBuilder("example");
    int remaining = length - 64 - 1 - domain.length();
    while (remaining > 0) {
      int label = Math.min(60, remaining - 1);
      domain.insert(0, "d".repeat(Math.max(label, 1)) + ".");
      remaining -= Math.max(label, 1) + 1;
    }
    String address = "l".repeat(64) + "@" + domain;
    assertThat(address).hasSize(length);
    return address;
  }

  private static double openSessions() {
    String metrics = gateway.send("GET", "/metrics", null, Map.of()).body();
    Matcher m = Pattern.compile("(?m)^postern_smtp_sessions_open(?:\\{[^}]*\\})? ([0-9.]+)").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
