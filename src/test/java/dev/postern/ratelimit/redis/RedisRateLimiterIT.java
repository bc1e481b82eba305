package dev.postern.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.ratelimit.Decision;
import dev.postern.ratelimit.FailureMode;
import dev.postern.ratelimit.RateLimiter;
import dev.postern.ratelimit.RateLimiterContract;
import dev.postern.ratelimit.RateLimiterUnavailableException;
import dev.postern.support.ManualClock;
import dev.postern.support.RedisFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisRateLimiterIT implements RateLimiterContract {

  /** Generous for the contract tests: a loaded 2-core CI box must not turn them into outages. */
  private static final Duration CONTRACT_TIMEOUT = Duration.ofSeconds(2);
  /** How late past its timeout a call may complete when Redis is down or stalled. */
  private static final long MARGIN_MILLIS = 500;

  private static Vertx vertx;
  private final List<RateLimiter> limiters = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @AfterEach
  void closeLimiters() {
    limiters.forEach(limiter -> await(limiter.close()));
  }

  @Override
  public RateLimiter limiter(ManualClock clock) {
    return limiter(clock, RedisRateLimiter.Settings.defaults(
        RedisFixture.url(), RedisFixture.keyPrefix(), FailureMode.FAIL_CLOSED)
        .withTimeout(CONTRACT_TIMEOUT));
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  private RateLimiter limiter(ManualClock clock, RedisRateLimiter.Settings settings) {
    RateLimiter limiter = RedisRateLimiter.create(vertx, clock, settings);
    limiters.add(limiter);
    return limiter;
  }

  private RateLimiter limiter(String url, FailureMode mode) {
    return limiter(new ManualClock(MID_HOUR),
        RedisRateLimiter.Settings.defaults(url, RedisFixture.keyPrefix(), mode));
  }

  @Test
  void failsOpenWhenRedisIsUnreachable() throws Exception {
    RateLimiter limiter = limiter(closedPortUrl(), FailureMode.FAIL_OPEN);
    assertOpenWithinTimeout(limiter);
  }

  @Test
  void failsClosedWhenRedisIsUnreachable() throws Exception {
    RateLimiter limiter = limiter(closedPortUrl(), FailureMode.FAIL_CLOSED);
    assertClosedWithinTimeout(limiter);
    assertClosedWithinTimeout(limiter); // and again, once the pool knows the store is gone
  }

  @Test
  void failsOpenWhenRedisHangs() throws Exception {
    try (StalledServer stalled = new StalledServer()) {
      RateLimiter limiter = limiter(stalled.url(), FailureMode.FAIL_OPEN);
      assertOpenWithinTimeout(limiter);
      assertOpenWithinTimeout(limiter);
    }
  }

  @Test
  void failsClosedWhenRedisHangs() throws Exception {
    try (StalledServer stalled = new StalledServer()) {
      RateLimiter limiter = limiter(stalled.url(), FailureMode.FAIL_CLOSED);
      assertClosedWithinTimeout(limiter);
      assertClosedWithinTimeout(limiter);
    }
  }

  @Test
  void manyCallsToAHungRedisAllCompleteWithinTheTimeout() throws Exception {
    try (StalledServer stalled = new StalledServer()) {
      RateLimiter limiter = limiter(stalled.url(), FailureMode.FAIL_CLOSED);
      long started = System.nanoTime();
      List<Future<Decision>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(limiter.consume("key-" + i, 1, 10));
      }
      for (Future<Decision> call : calls) {
        Throwable failure = failureOf(call);
        assertThat(failure).isInstanceOf(RateLimiterUnavailableException.class);
      }
      assertThat(millisSince(started))
          .isLessThan(RedisRateLimiter.Settings.DEFAULT_TIMEOUT.toMillis() + MARGIN_MILLIS);
    }
  }

  @Test
  void pingFailsWhenRedisIsUnreachableAndSucceedsWhenUp() {
    RateLimiter down = limiter(closedPortUrl(), FailureMode.FAIL_OPEN);
    assertThat(failureOf(down.ping())).isInstanceOf(RateLimiterUnavailableException.class);
    RateLimiter up = limiter(RedisFixture.url(), FailureMode.FAIL_OPEN);
    await(up.ping());
  }

  @Test
  void recoversAfterRedisRestarts() throws Exception {
    try (RedisFixture.Instance redis = RedisFixture.privateInstance()) {
      RateLimiter limiter = limiter(redis.url(), FailureMode.FAIL_CLOSED);
      assertThat(await(limiter.consume("key-a", 1, 10)).remaining()).isEqualTo(9);

      redis.stop();
      assertClosedWithinTimeout(limiter);

      redis.start();
      // The restarted Redis has lost its counters and its script cache (EVALSHA → NOSCRIPT → EVAL).
      Decision afterRestart = eventuallyAllowed(limiter, Duration.ofSeconds(10));
      assertThat(afterRestart.remaining()).isEqualTo(9);
      await(limiter.ping());
    }
  }

  @Test
  void reloadsTheScriptWhenRedisForgetsIt() {
    RateLimiter limiter = limiter(RedisFixture.url(), FailureMode.FAIL_CLOSED);
    assertThat(await(limiter.consume("key-a", 1, 10)).remaining()).isEqualTo(9);
    Redis admin = Redis.createClient(vertx, RedisFixture.url());
    try {
      await(admin.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
    } finally {
      await(admin.close());
    }
    assertThat(await(limiter.consume("key-a", 1, 10)).remaining()).isEqualTo(8);
  }

  private void assertOpenWithinTimeout(RateLimiter limiter) throws Exception {
    long started = System.nanoTime();
    Decision decision = await(limiter.consume("key-a", 1, 10));
    assertThat(millisSince(started)).isLessThan(budgetMillis());
    assertThat(decision).isEqualTo(new Decision(true, 10, 10, NEXT_HOUR));
  }

  private void assertClosedWithinTimeout(RateLimiter limiter) {
    long started = System.nanoTime();
    Throwable failure = failureOf(limiter.consume("key-a", 1, 10));
    assertThat(millisSince(started)).isLessThan(budgetMillis());
    assertThat(failure).isInstanceOf(RateLimiterUnavailableException.class);
  }

  private Decision eventuallyAllowed(RateLimiter limiter, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        return limiter.consume("key-a", 1, 10).toCompletionStage().toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
      } catch (ExecutionException stillDown) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("limiter did not recover", stillDown.getCause());
        }
        Thread.sleep(100); // the JUnit thread, never an event loop
      }
    }
  }

  private static Throwable failureOf(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected the call to fail");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("call did not complete", e);
    }
  }

  private static long budgetMillis() {
    return RedisRateLimiter.Settings.DEFAULT_TIMEOUT.toMillis() + MARGIN_MILLIS;
  }

  private static long millisSince(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  private static String closedPortUrl() {
    return "redis://127.0.0.1:" + RedisFixture.freePort();
  }
}
