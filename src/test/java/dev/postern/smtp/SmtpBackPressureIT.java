package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.TestGateway;
import dev.postern.support.UnreadPipelining;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Write-side back-pressure (RFC 2920 §3.1: a pipelining client must not be able to make the
 * server buffer without bound). A client that sends 2 000 000 NOOPs and reads none of its replies
 * stalls: the server answers only while its replies can be written, then stops reading, so the
 * client's own writes stop. Once the client reads, every reply arrives, in order.
 */
class SmtpBackPressureIT {

  /**
   * Well beyond what kernel buffers absorb: Linux autotunes a socket's send buffer up to
   * {@code tcp_wmem} max (4 MiB by default, ~300 000 replies) and its receive buffer further, so
   * 200 000 NOOPs could all be answered into kernel memory whether or not the server holds back.
   */
  private static final int NOOPS = 2_000_000;
  private static final String NOOP_REPLY = "250 2.0.0 Ok";
  /** How long the client's writes must make no progress to count as stalled by the server. */
  private static final Duration STALL = Duration.ofSeconds(1);

  private static TestGateway gateway;
  private static int port;

  @BeforeAll
  static void start() {
    port = FreePort.next();
    gateway = TestGateway.start(Map.of(
            "POSTERN_SMTP_PORT", Integer.toString(port),
            "POSTERN_SMTP_HOST", "127.0.0.1"),
        new JsonObject().put("smtp", new JsonObject().put("idle_timeout_seconds", 60)));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aClientThatPipelinesWithoutReadingIsStalledAndThenGetsEveryReplyInOrder() throws Exception {
    try (SocketChannel channel = SocketChannel.open()) {
      // A tiny receive window: the server's replies pile up on its side, not in our kernel.
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
      // And a small send buffer: what the client cannot write must wait in its own memory.
      channel.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
      channel.connect(new InetSocketAddress("127.0.0.1", port));
      BufferedReader replies = new BufferedReader(new InputStreamReader(
          Channels.newInputStream(channel), StandardCharsets.US_ASCII));
      assertThat(replies.readLine()).startsWith("220 ");

      ByteBuffer noops = UnreadPipelining.repeated("NOOP\r\n", NOOPS);
      channel.configureBlocking(false);
      UnreadPipelining.writeUntilStalled(channel, noops, STALL);

      // Stalled: the server answered only what its bounded write queue and the sockets hold.
      double answered = SmtpScrape.of(gateway).value("postern_smtp_commands_total",
          "command", "NOOP");
      assertThat(answered).as("NOOPs the server took while its replies went unread")
          .isPositive().isLessThan(NOOPS / 2.0);
      assertThat(noops.position()).as("bytes the client could write")
          .isLessThan(NOOPS * 6 / 2);

      channel.configureBlocking(true);
      CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
        try {
          while (noops.hasRemaining()) {
            channel.write(noops);
          }
          channel.write(ByteBuffer.wrap("QUIT\r\n".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      for (int i = 0; i < NOOPS; i++) {
        String line = replies.readLine();
        if (!NOOP_REPLY.equals(line)) {
          throw new AssertionError("reply " + i + " of " + NOOPS + ": " + line);
        }
      }
      assertThat(replies.readLine()).startsWith("221 ");
      rest.get(30, TimeUnit.SECONDS);
    }
  }
}
