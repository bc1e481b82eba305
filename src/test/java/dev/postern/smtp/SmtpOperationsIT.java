package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 item 8, operations: SMTP sessions, commands and replies (accepts and refusals by
 * their RFC 3463 status) in {@code /metrics} after a known sequence of sessions; and a graceful
 * shutdown, where an idle session gets 421 4.3.2 at once and a DATA in flight finishes within
 * {@code smtp.shutdown_grace_seconds}, its 250 before its 421 (RFC 5321 §3.8).
 * Each test has its own gateway: the counters start at zero and one test stops its gateway.
 */
class SmtpOperationsIT {

  private static final String FROM = "app@ops.example";
  private static final String TO = "someone@elsewhere.example";

  private TestGateway gateway;
  private SmtpKit kit;
  private int port;
  private Path cert;

  private void start(JsonObject smtp) {
    port = FreePort.next();
    gateway = TestGateway.start(Map.of(
            "POSTERN_SMTP_PORT", Integer.toString(port),
            "POSTERN_SMTP_HOST", "127.0.0.1"),
        new JsonObject().put("smtp", smtp));
    cert = gateway.dataDir().resolve("tls/smtp-cert.pem");
    kit = new SmtpKit(gateway);
    kit.mailbox(FROM);
  }

  @AfterEach
  void stop() {
    try {
      if (gateway != null) {
        gateway.close(); // idempotent: the shutdown test has closed it already
      }
    } finally {
      if (kit != null) {
        kit.close();
      }
    }
  }

  @Test
  void metricsCountSessionsCommandsAndRepliesByStatus() throws Exception {
    start(new JsonObject());
    String key = kit.key(FROM).secret();

    try (SmtpWire accepted = SmtpWire.connect(port, cert, false)) {
      accepted.reply();
      assertThat(accepted.startTlsAndLogin(key).code()).isEqualTo(235);
      assertThat(SmtpScrape.of(gateway).value("postern_smtp_sessions_open")).isEqualTo(1.0);
      SmtpKit.queuedId(SmtpKit.transaction(accepted, FROM, TO, SmtpKit.message(FROM, "metrics")));
      assertThat(accepted.command("QUIT").code()).isEqualTo(221);
    }
    try (SmtpWire refused = SmtpWire.connect(port, cert, false)) {
      refused.reply();
      SmtpWire.Reply badKey = refused.startTlsAndLogin("pk_live_not_a_key");
      assertThat(badKey.code()).as(badKey.toString()).isEqualTo(535);
      assertThat(refused.command("QUIT").code()).isEqualTo(221);
    }

    Eventually.until(Duration.ofSeconds(10),
        () -> SmtpScrape.of(gateway).value("postern_smtp_sessions_open") == 0,
        () -> "both sessions closed in /metrics");
    SmtpScrape scrape = SmtpScrape.of(gateway);
    assertThat(scrape.has("postern_smtp_sessions_total")).as(scrape.text()).isTrue();
    assertThat(scrape.value("postern_smtp_sessions_total", "listener", "submission")).isEqualTo(2.0);
    Map<String, Integer> commands = Map.of("EHLO", 4, "STARTTLS", 2, "AUTH", 2, "MAIL", 1,
        "RCPT", 1, "DATA", 1, "QUIT", 2);
    commands.forEach((verb, count) -> assertThat(scrape.value("postern_smtp_commands_total",
        "listener", "submission", "command", verb)).as(verb).isEqualTo(count.doubleValue()));
    assertThat(scrape.value("postern_smtp_commands_total", "command", "NOOP")).isZero();
    // Accepts and refusals by reason: the one queued message, the one bad key.
    assertThat(scrape.value("postern_smtp_replies_total", "code", "250", "status", "2.0.0"))
        .isEqualTo(1.0);
    assertThat(scrape.value("postern_smtp_replies_total", "code", "535", "status", "5.7.8"))
        .isEqualTo(1.0);
    assertThat(scrape.value("postern_smtp_replies_total", "code", "221", "status", "2.0.0"))
        .isEqualTo(2.0);
  }

  @Test
  void shutdownClosesIdleSessionsAtOnceAndLetsADataInFlightFinish() throws Exception {
    start(new JsonObject().put("shutdown_grace_seconds", 30));
    String key = kit.key(FROM).secret();
    CompletableFuture<Void> closed = null;
    String id;
    try (SmtpWire idle = SmtpWire.connect(port, cert, false);
        SmtpWire sending = SmtpWire.connect(port, cert, false)) {
      idle.reply();
      assertThat(idle.command("EHLO idle.example").code()).isEqualTo(250);
      sending.reply();
      assertThat(sending.startTlsAndLogin(key).code()).isEqualTo(235);
      assertThat(sending.command("MAIL FROM:<" + FROM + ">").code()).isEqualTo(250);
      assertThat(sending.command("RCPT TO:<" + TO + ">").code()).isEqualTo(250);
      assertThat(sending.command("DATA").code()).isEqualTo(354);
      String message = SmtpKit.message(FROM, "finished during shutdown");
      int half = message.length() / 2;
      sending.send(message.substring(0, half));

      TestGateway stopping = gateway;
      gateway = null; // closed below, once
      closed = CompletableFuture.runAsync(stopping::close);

      SmtpWire.Reply goodbye = idle.reply();
      assertThat(goodbye.code()).as(goodbye.toString()).isEqualTo(421);
      assertThat(goodbye.text()).startsWith("4.3.2");
      assertThat(idle.closedByServer()).isTrue();

      // The gateway is stopping (the idle session was told): the DATA goes on to its end.
      assertThat(closed).isNotDone();
      sending.send(message.substring(half) + "\r\n.\r\n");
      id = SmtpKit.queuedId(sending.reply());
      SmtpWire.Reply after = sending.reply();
      assertThat(after.code()).as(after.toString()).isEqualTo(421);
      assertThat(after.text()).startsWith("4.3.2");
      assertThat(sending.closedByServer()).isTrue();
    } finally {
      if (closed != null) {
        closed.get(60, TimeUnit.SECONDS);
      }
    }
    // The gateway is gone; its database (the shared fixture) is not.
    assertThat(kit.count("SELECT count(*) FROM outbound_messages WHERE id = $1::uuid", id))
        .isEqualTo(1);
    assertThat(kit.inlineMime(id)).contains("Subject: finished during shutdown");
  }
}
