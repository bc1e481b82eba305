package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.RestartablePostgres;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md "Faults" over SMTP (issue #12 item 8): PostgreSQL down and the blob store down are
 * answered 451 4.3.0 (RFC 5321 §4.2.5: nothing is acknowledged that is not durably stored, and a
 * temporary reply makes the client's queue retry), nothing half-stored remains, and the same
 * gateway serves again by itself once the dependency is back.
 */
class SmtpFaultsIT {

  private static final String FROM = "app@faults.example";
  private static final String TO = "someone@elsewhere.example";

  private RestartablePostgres postgres;
  private TestGateway gateway;
  private SmtpKit kit;
  private int port;
  private Path cert;

  private void start(Map<String, String> settings, JsonObject conf) {
    port = FreePort.next();
    Map<String, String> env = new HashMap<>(settings);
    env.put("POSTERN_SMTP_PORT", Integer.toString(port));
    env.put("POSTERN_SMTP_HOST", "127.0.0.1");
    gateway = TestGateway.start(env, conf);
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    kit = new SmtpKit(gateway);
    kit.mailbox(FROM);
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
  void theDatabaseDownIs451AtAuthAndAtTheEndOfDataAndServiceResumesByItself() throws Exception {
    postgres = RestartablePostgres.start();
    start(Map.of("POSTERN_PG_URL", postgres.url()),
        new JsonObject().put("postgres", new JsonObject().put("connect_timeout_seconds", 2)));
    String sendingKey = kit.key(FROM).secret();
    // Never presented before the outage, so not in this node's key cache: AUTH must ask PostgreSQL.
    String freshKey = kit.key(FROM).secret();

    try (SmtpWire sending = SmtpWire.connect(port, cert, false)) {
      sending.reply();
      assertThat(sending.startTlsAndLogin(sendingKey).code()).isEqualTo(235);
      assertThat(sending.command("MAIL FROM:<" + FROM + ">").code()).isEqualTo(250);
      assertThat(sending.command("RCPT TO:<" + TO + ">").code()).isEqualTo(250);
      assertThat(sending.command("DATA").code()).isEqualTo(354);

      postgres.stop();

      try (SmtpWire auth = SmtpWire.connect(port, cert, false)) {
        auth.reply();
        SmtpWire.Reply unavailable = auth.startTlsAndLogin(freshKey);
        assertThat(unavailable.code()).as("AUTH while PostgreSQL is down: %s", unavailable)
            .isEqualTo(451);
        assertThat(unavailable.text()).startsWith("4.3.0");
      }
      SmtpWire.Reply notStored = sending.command(SmtpKit.message(FROM, "during the outage") + "\r\n.");
      assertThat(notStored.code()).as("end of DATA while PostgreSQL is down: %s", notStored)
          .isEqualTo(451);
      assertThat(notStored.text()).startsWith("4.3.0");
      // The session itself goes on: the client may retry on it or on a new one.
      assertThat(sending.command("RSET").code()).isEqualTo(250);
    }

    postgres.startAgain();
    String[] id = new String[1];
    Eventually.untilAsserted(Duration.ofSeconds(30), () -> {
      try (SmtpWire again = SmtpWire.connect(port, cert, false)) {
        again.reply();
        SmtpWire.Reply auth = again.startTlsAndLogin(freshKey);
        assertThat(auth.code()).as(auth.toString()).isEqualTo(235);
        id[0] = SmtpKit.queuedId(SmtpKit.transaction(again, FROM, TO,
            SmtpKit.message(FROM, "after the outage")));
      }
    });
    assertThat(kit.messagesWithSubject("during the outage")).isZero();
    assertThat(kit.messagesWithSubject("after the outage")).isEqualTo(1);
    assertThat(gateway.withKey(freshKey, "GET", "/v1/emails/" + id[0], null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theBlobStoreDownIs451AfterTheDotForALargeMessageAndNothingIsKept() throws Exception {
    start(Map.of(), null);
    String key = kit.key(FROM).secret();
    Path blobs = gateway.dataDir().resolve("blobs");
    Path aside = gateway.dataDir().resolve("blobs-aside");
    try (SmtpWire smtp = SmtpWire.connect(port, cert, false)) {
      smtp.reply();
      assertThat(smtp.startTlsAndLogin(key).code()).isEqualTo(235);
      long blobsBefore = kit.blobFiles();

      // Tests run as root, so permissions block nothing: a regular file where the directory was.
      Files.move(blobs, aside);
      Files.writeString(blobs, "not a directory");
      SmtpWire.Reply refused;
      try {
        refused = SmtpKit.transaction(smtp, FROM, TO, large("while the store is down"));
      } finally {
        Files.delete(blobs);
        Files.move(aside, blobs);
      }
      assertThat(refused.code()).as(refused.toString()).isEqualTo(451);
      assertThat(refused.text()).startsWith("4.3.0");
      assertThat(kit.messagesWithSubject("while the store is down")).isZero();
      assertThat(kit.blobFiles()).isEqualTo(blobsBefore);

      // The store is back: the same session's next message is stored (as a blob).
      String id = SmtpKit.queuedId(SmtpKit.transaction(smtp, FROM, TO, large("store is back")));
      assertThat(kit.messagesWithSubject("store is back")).isEqualTo(1);
      assertThat(kit.count("SELECT count(*) FROM outbound_messages WHERE id = $1::uuid"
          + " AND blob_key IS NOT NULL", id)).isEqualTo(1);
      assertThat(kit.blobFiles()).isEqualTo(blobsBefore + 1);
    }
  }

  /** A message well above the 256 KiB inline limit, so it streams to the blob store. */
  private static String large(String subject) throws IOException {
    String line = "x".repeat(76) + "\r\n";
    return SmtpKit.message(FROM, subject) + "\r\n" + line.repeat(400_000 / line.length());
  }
}
