package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import dev.postern.support.UnreadPipelining;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An HTTP/1.1 client that pipelines requests and never reads a response holds no connection
 * slot for longer than {@code http.idle_timeout_seconds}: the server stops reading once its
 * responses cannot be written (so what it holds is bounded by the sockets' buffers) and drops the
 * connection when the idle timeout passes, though the responses it wrote can never be flushed.
 * Vert.x's {@code HttpConnection.close()} waits for that flush; the idle timeout closes from the
 * channel's own context and does not (what the edge's own closes in {@code ErrorHandler} and
 * {@code RequestDeadline} fall back on for a client that also stops reading).
 */
class HttpStalledClientIT {

  private static TestGateway gateway;
  private static String key;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of(), new JsonObject().put("http", new JsonObject()
        .put("idle_timeout_seconds", 2)));
    SqlSeed.mailbox(gateway.pgUrl(), "bot@example.com");
    var created = gateway.admin("POST", "/admin/v1/keys",
        new JsonObject().put("name", "stalled").put("mailbox", "bot@example.com"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    key = new JsonObject(created.body()).getString("key");
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aClientThatPipelinesAndNeverReadsIsDroppedAtTheIdleTimeout() throws Exception {
    // ~25 MB of authenticated pings: far more than the sockets absorb.
    ByteBuffer pings = UnreadPipelining.repeated("GET /v1/emails/_ping HTTP/1.1\r\nHost: 127.0.0.1"
        + "\r\nAuthorization: Bearer " + key + "\r\n\r\n", 200_000);
    try (SocketChannel channel = UnreadPipelining.connect(gateway.config().http().port())) {
      // Fails if the server read every request (buffering every response) or closed early.
      UnreadPipelining.writeUntilStalled(channel, pings, Duration.ofMillis(500));

      Duration dropped = UnreadPipelining.awaitDropped(channel, pings, Duration.ofSeconds(30));
      // The idle timeout (2 s) from the last byte the server could write; generous for CI.
      assertThat(dropped).isLessThan(Duration.ofSeconds(15));
    }
    // The gateway serves on.
    var ping = gateway.withKey(key, "GET", "/v1/emails/_ping", null);
    assertThat(ping.statusCode()).as(ping.body()).isEqualTo(200);
  }
}
