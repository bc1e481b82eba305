package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.RestartablePostgres;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MX's durable accept (issue #13 item 9): a retry after a lost 250 is not filed twice, a
 * large message streams to the blob store under {@code in/}, an oversized one is refused with
 * nothing kept, and PostgreSQL down is 451 4.3.0 with nothing acknowledged or half-visible.
 */
class MxAcceptIT {

  private static final String SENDER = "sender@elsewhere.example";
  private static final long MAX_MESSAGE = 1024 * 1024;

  private RestartablePostgres postgres;
  private TestGateway gateway;
  private SmtpKit kit;
  private int mx;

  private void start(Map<String, String> settings) {
    mx = FreePort.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("POSTERN_MX_PORT", Integer.toString(mx));
    env.put("POSTERN_SMTP_HOST", "127.0.0.1");
    gateway = TestGateway.start(env, new JsonObject()
        .put("smtp", new JsonObject().put("max_message_bytes", MAX_MESSAGE))
        .put("postgres", new JsonObject().put("connect_timeout_seconds", 2)));
    kit = new SmtpKit(gateway);
    kit.mailbox("a@hosted.example");
    kit.mailbox("b@hosted.example");
  }

  @AfterEach
  void stop() {
    try {
      if (kit != null) {
        kit.close();
      }
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  @Test
  void aRetryOfTheSameMessageIsNotFiledTwiceAndNewRecipientsStillGetIt() throws Exception {
    start(Map.of());
    String message = MxKit.message("retried", UUID.randomUUID() + "@elsewhere.example");
    String first;
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      first = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("a@hosted.example"), message));
    }
    // The sender never saw that 250 (RFC 5321 §6.1) and sends the same octets again.
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      String again = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("a@hosted.example"), message));
      assertThat(again).as("the first acceptance's id").isEqualTo(first);
      // With a recipient added, only that mailbox gets a delivery, from a new raw message.
      String widened = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER,
          List.of("a@hosted.example", "b@hosted.example"), message));
      assertThat(MxKit.deliveredTo(kit, widened)).containsExactly("b@hosted.example");
      // The same Message-ID with other octets is another message.
      String other = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("a@hosted.example"),
          message + " (edited)"));
      assertThat(MxKit.deliveredTo(kit, other)).containsExactly("a@hosted.example");
    }
    assertThat(kit.count("SELECT count(*) FROM inbound_deliveries d JOIN mailboxes m"
        + " ON m.id = d.mailbox_id WHERE m.address = 'a@hosted.example'")).isEqualTo(2);
    assertThat(kit.count("SELECT count(*) FROM inbound_raw")).isEqualTo(3);
  }

  @Test
  void aLargeMessageStreamsToABlobAndAnOversizedOneIsRefusedWithNothingKept() throws Exception {
    start(Map.of());
    String line = "x".repeat(76) + "\r\n";
    String large = "Subject: large\r\n\r\n" + line.repeat(400_000 / line.length());
    String id;
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      id = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("a@hosted.example"), large));
      Row raw = kit.query("SELECT blob_key, mime_inline, mime_size FROM inbound_raw WHERE id = $1::uuid",
          id).iterator().next();
      assertThat(raw.getBuffer("mime_inline")).isNull();
      assertThat(raw.getString("blob_key")).matches("in/\\d{4}/\\d{2}/\\d{2}/" + id + "\\.eml");
      String stored = Files.readString(gateway.dataDir().resolve("blobs").resolve(raw.getString("blob_key")));
      assertThat(MxKit.withoutTrace(stored)).isEqualTo(MxKit.asReceived(large));
      assertThat(raw.getLong("mime_size")).isEqualTo(stored.length());

      long raws = kit.count("SELECT count(*) FROM inbound_raw");
      long blobs = kit.blobFiles();
      String oversized = "Subject: oversized\r\n\r\n" + line.repeat((int) (MAX_MESSAGE / line.length()) + 10);
      assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<a@hosted.example>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      SmtpWire.Reply refused = smtp.command(oversized + "\r\n.");
      assertThat(refused.code()).as(refused.toString()).isEqualTo(552);
      assertThat(refused.text()).startsWith("5.3.4");
      assertThat(kit.count("SELECT count(*) FROM inbound_raw")).isEqualTo(raws);
      Eventually.until(Duration.ofSeconds(10), () -> kit.blobFiles() == blobs,
          () -> "a blob of the refused message is left: " + kit.blobFiles() + " files, " + blobs + " before");
      assertThat(smtp.command("NOOP").code()).as("the session goes on").isEqualTo(250);
    }
    assertThat(Files.exists(gateway.dataDir().resolve("blobs/in"))).isTrue();
  }

  @Test
  void theDatabaseDownAtTheEndOfDataIs451AndNothingIsKeptThenServiceResumes() throws Exception {
    postgres = RestartablePostgres.start();
    start(Map.of("POSTERN_PG_URL", postgres.url()));
    String message = MxKit.message("during the outage", UUID.randomUUID() + "@elsewhere.example");
    try (SmtpWire smtp = MxKit.greeted(mx)) {
      assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
      assertThat(smtp.command("RCPT TO:<a@hosted.example>").code()).isEqualTo(250);
      assertThat(smtp.command("DATA").code()).isEqualTo(354);
      postgres.stop();
      SmtpWire.Reply refused = smtp.command(message + "\r\n.");
      assertThat(refused.code()).as(refused.toString()).isEqualTo(451);
      assertThat(refused.text()).startsWith("4.3.0");
      assertThat(smtp.command("RSET").code()).isEqualTo(250);
    }
    postgres.startAgain();
    String[] id = new String[1];
    Eventually.untilAsserted(Duration.ofSeconds(30), () -> {
      try (SmtpWire smtp = MxKit.greeted(mx)) {
        id[0] = SmtpKit.queuedId(MxKit.deliver(smtp, SENDER, List.of("a@hosted.example"), message));
      }
    });
    // The retry after the 451 is the only copy: nothing of the refused attempt was committed.
    assertThat(kit.count("SELECT count(*) FROM inbound_raw")).isEqualTo(1);
    assertThat(MxKit.deliveredTo(kit, id[0])).containsExactly("a@hosted.example");
    Path blobs = gateway.dataDir().resolve("blobs");
    assertThat(kit.blobFiles()).as("an inline message leaves no blob in %s", blobs).isZero();
  }
}
