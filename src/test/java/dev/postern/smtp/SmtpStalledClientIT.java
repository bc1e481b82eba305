package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FreePort;
import dev.postern.support.TestGateway;
import dev.postern.support.UnreadPipelining;
import io.vertx.core.json.JsonObject;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that pipelines commands and never reads a reply (a slowloris on a public port — the
 * MX needs no AUTH) is disconnected when its idle timeout passes, although the server's 421 can
 * never reach it: the session's slot (per address and per listener) is freed, not held for as
 * long as the client keeps its socket open. Vert.x's {@code close()} waits for what is queued
 * to flush first, which such a client never allows.
 */
class SmtpStalledClientIT {

  private static TestGateway gateway;
  private static int port;

  @BeforeAll
  static void start() {
    port = FreePort.next();
    gateway = TestGateway.start(Map.of(
            "POSTERN_SMTP_PORT", Integer.toString(port),
            "POSTERN_SMTP_HOST", "127.0.0.1"),
        new JsonObject().put("smtp", new JsonObject().put("idle_timeout_seconds", 2)));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aClientThatNeverReadsIsDisconnectedAtItsIdleTimeout() throws Exception {
    try (SocketChannel channel = UnreadPipelining.connect(port)) {
      // Far more NOOPs than the sockets absorb (SmtpBackPressureIT): the server stops reading
      // once its replies cannot be written, and the client's writes stall.
      UnreadPipelining.writeUntilStalled(channel, UnreadPipelining.repeated("NOOP\r\n", 2_000_000),
          Duration.ofMillis(500));
      assertThat(sessionsOpen()).as("the stalled session is open").isEqualTo(1);

      // The idle timeout (2 s) passes with the client reading nothing: the session ends.
      Eventually.until(Duration.ofSeconds(30), () -> sessionsOpen() == 0,
          () -> "the stalled session is still open");
    }
  }

  private static double sessionsOpen() {
    return SmtpScrape.of(gateway).value("postern_smtp_sessions_open");
  }
}
