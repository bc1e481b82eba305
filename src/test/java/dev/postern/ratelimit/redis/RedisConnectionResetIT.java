package dev.postern.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.ratelimit.FailureMode;
import dev.postern.ratelimit.RateLimiterUnavailableException;
import dev.postern.support.Eventually;
import dev.postern.support.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #9 item 3. When Redis resets a connection, Netty reports the error and then the close;
 * vertx-redis-client 5.0.10 handles the first in {@code RedisStandaloneConnection.fail} (which
 * marks the connection closed) and the second in {@code end}, which begins with
 * {@code assert !closed}. With assertions enabled (as in every test JVM) that is an
 * {@code AssertionError} reported as an unhandled exception on the event loop — the client's own
 * invariant is wrong, our use of it has no part in it, and production JVMs run without
 * {@code -ea}. The test JVMs therefore disable assertions for that one class (pom.xml,
 * {@code test.argLine}); this test fails if that containment is removed, and proves the limiter
 * answers promptly and leaks no exception when its Redis resets the connection.
 */
class RedisConnectionResetIT {

  private Vertx vertx;
  private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();
  private ServerSocket resettingRedis;
  private final AtomicInteger resets = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.exceptionHandler(unhandled::add);
    resettingRedis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptAndReset, "resetting-redis");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws IOException {
    resettingRedis.close();
    vertx.close().await();
  }

  @Test
  void aConnectionResetByRedisFailsTheCallAndLeavesNoUnhandledException() {
    RedisRateLimiter limiter = RedisRateLimiter.create(vertx, new ManualClock(Instant.parse("2026-01-01T10:30:00Z")),
        RedisRateLimiter.Settings.defaults("redis://127.0.0.1:" + resettingRedis.getLocalPort(),
            "reset-test", FailureMode.FAIL_CLOSED).withTimeout(Duration.ofSeconds(2)));
    try {
      for (int i = 0; i < 3; i++) {
        Throwable failure = limiter.consume("key", 1, 10)
            .transform(r -> Future.succeededFuture(r.cause())).await();
        assertThat(failure).isInstanceOf(RateLimiterUnavailableException.class);
      }
      // Settled: the server has reset every connection it accepted, and the close events Netty
      // queued behind each reset have run (one event loop: a task queued now runs after them).
      Eventually.until(Duration.ofSeconds(5), () -> resets.get() >= 3, () -> "resets: " + resets);
      drainEventLoop();
    } finally {
      limiter.close().await();
    }
    assertThat(unhandled).as("exceptions nobody handled on the event loop").isEmpty();
  }

  private void drainEventLoop() {
    for (int round = 0; round < 2; round++) {
      Promise<Void> ran = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> ran.complete());
      ran.future().await();
    }
  }

  /** Reads whatever the client sends first, then closes with SO_LINGER 0: a TCP reset. */
  private void acceptAndReset() {
    while (!resettingRedis.isClosed()) {
      try (Socket socket = resettingRedis.accept()) {
        InputStream in = socket.getInputStream();
        in.read(new byte[4096]);
        socket.setSoLinger(true, 0);
        resets.incrementAndGet();
      } catch (IOException closedOrReset) {
        // the listener was closed at the end of the test, or the client gave up first
      }
    }
  }
}
