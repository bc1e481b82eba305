package dev.postern.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.ManualClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RateLimiter} adapter must do (SPEC §3 "Rate limits"), in the style of James's
 * MailQueueContract: each adapter's test implements this interface and inherits the tests.
 */
public interface RateLimiterContract {

  /** 10:17:05 UTC: mid-hour, so the window is [10:00, 11:00). */
  Instant MID_HOUR = Instant.parse("2031-03-04T10:17:05Z");
  long NEXT_HOUR = Instant.parse("2031-03-04T11:00:00Z").getEpochSecond();

  /** A new limiter reading time from {@code clock}, over keys no other test uses. */
  RateLimiter limiter(ManualClock clock);

  /** Event loops for the concurrency test. */
  Vertx vertx();

  default <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("limiter call did not succeed", e);
    }
  }

  @Test
  default void allowsUpToTheLimitThenRefuses() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    for (int i = 1; i <= 5; i++) {
      Decision decision = await(limiter.consume("key-a", 1, 5));
      assertThat(decision.allowed()).isTrue();
      assertThat(decision.remaining()).isEqualTo(5 - i);
    }
    Decision refused = await(limiter.consume("key-a", 1, 5));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
  }

  @Test
  default void refundGivesBackUnitsNeverBelowZero() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    await(limiter.consume("key-r", 5, 10));
    await(limiter.refund("key-r", 3));
    assertThat(await(limiter.peek("key-r", 10)).remaining()).isEqualTo(8);
    await(limiter.refund("key-r", 50));
    assertThat(await(limiter.peek("key-r", 10)).remaining()).isEqualTo(10);
    await(limiter.refund("never-used", 4));
    assertThat(await(limiter.peek("never-used", 10)).remaining()).isEqualTo(10);
    assertThat(await(limiter.consume("key-r", 10, 10)).allowed()).isTrue();
  }

  @Test
  default void refundAfterTheHourRolledOverNeverTakesTheNewWindowBelowZero() {
    ManualClock clock = new ManualClock(MID_HOUR);
    RateLimiter limiter = limiter(clock);
    await(limiter.consume("key-w", 4, 10));
    clock.set(Instant.ofEpochSecond(NEXT_HOUR + 60));
    await(limiter.consume("key-w", 2, 10));
    await(limiter.refund("key-w", 4));
    // The refund applies to the current window only: 2 used there, floor at zero.
    assertThat(await(limiter.peek("key-w", 10)).remaining()).isEqualTo(10);
  }

  @Test
  default void refusedConsumeCountsNothing() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    await(limiter.consume("key-a", 7, 10));

    Decision tooBig = await(limiter.consume("key-a", 5, 10));
    assertThat(tooBig.allowed()).isFalse();
    assertThat(tooBig.remaining()).isEqualTo(3);

    Decision fits = await(limiter.consume("key-a", 3, 10));
    assertThat(fits.allowed()).isTrue();
    assertThat(fits.remaining()).isZero();
  }

  @Test
  default void aBatchCountsEveryMessage() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    assertThat(await(limiter.consume("key-a", 100, 250)).remaining()).isEqualTo(150);
    assertThat(await(limiter.consume("key-a", 100, 250)).remaining()).isEqualTo(50);
    Decision third = await(limiter.consume("key-a", 100, 250));
    assertThat(third.allowed()).isFalse();
    assertThat(third.remaining()).isEqualTo(50);
  }

  @Test
  default void aCostAboveTheLimitIsRefusedEvenWhenUnused() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    Decision decision = await(limiter.consume("key-a", 11, 10));
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.remaining()).isEqualTo(10);
  }

  @Test
  default void reportsLimitRemainingAndTheNextHourBoundary() {
    ManualClock clock = new ManualClock(MID_HOUR);
    RateLimiter limiter = limiter(clock);
    Decision allowed = await(limiter.consume("key-a", 2, 3));
    assertThat(allowed).isEqualTo(new Decision(true, 3, 1, NEXT_HOUR));
    assertThat(allowed.retryAfterSeconds(clock)).isZero();

    await(limiter.consume("key-a", 1, 3));
    Decision refused = await(limiter.consume("key-a", 1, 3));
    assertThat(refused).isEqualTo(new Decision(false, 3, 0, NEXT_HOUR));
    assertThat(refused.retryAfterSeconds(clock)).isEqualTo(NEXT_HOUR - MID_HOUR.getEpochSecond());
  }

  @Test
  default void resetsAtTheHourBoundary() {
    ManualClock clock = new ManualClock(Instant.parse("2031-03-04T10:59:59Z"));
    RateLimiter limiter = limiter(clock);
    await(limiter.consume("key-a", 3, 3));
    assertThat(await(limiter.consume("key-a", 1, 3)).allowed()).isFalse();

    clock.advance(Duration.ofSeconds(1));
    Decision afterReset = await(limiter.consume("key-a", 1, 3));
    assertThat(afterReset).isEqualTo(new Decision(true, 3, 2, NEXT_HOUR + 3600));
  }

  @Test
  default void bucketsAreIndependent() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    await(limiter.consume("key-a", 3, 3));
    assertThat(await(limiter.consume("key-a", 1, 3)).allowed()).isFalse();
    Decision other = await(limiter.consume("key-b", 1, 3));
    assertThat(other.allowed()).isTrue();
    assertThat(other.remaining()).isEqualTo(2);
  }

  @Test
  default void peekDoesNotConsume() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    assertThat(await(limiter.peek("key-a", 3))).isEqualTo(new Decision(true, 3, 3, NEXT_HOUR));
    await(limiter.consume("key-a", 2, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(await(limiter.peek("key-a", 3))).isEqualTo(new Decision(true, 3, 1, NEXT_HOUR));
    }
    await(limiter.consume("key-a", 1, 3));
    assertThat(await(limiter.peek("key-a", 3))).isEqualTo(new Decision(false, 3, 0, NEXT_HOUR));
  }

  @Test
  default void negativeCostIsRejected() {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    Future<Decision> result = limiter.consume("key-a", -1, 3);
    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).isInstanceOf(IllegalArgumentException.class);
  }

  /** SPEC/TESTING: quota 100 and 1 000 concurrent sends → exactly 100 accepted. */
  @Test
  default void exactlyTheLimitOfConcurrentConsumesIsAllowed() throws Exception {
    RateLimiter limiter = limiter(new ManualClock(MID_HOUR));
    int loops = 4;
    int perLoop = 250;
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Future<List<Decision>>> batches = new ArrayList<>();
    List<Thread> starters = new ArrayList<>();
    for (int l = 0; l < loops; l++) {
      Promise<List<Decision>> batch = Promise.promise();
      batches.add(batch.future());
      // Each plain thread gets its own event-loop context, so calls come from several loops.
      Thread starter = new Thread(() -> {
        Context context = vertx().getOrCreateContext();
        context.runOnContext(v -> {
          threads.add(Thread.currentThread().getName());
          List<Future<Decision>> calls = new ArrayList<>();
          for (int i = 0; i < perLoop; i++) {
            calls.add(limiter.consume("key-a", 1, 100));
          }
          Future.all(calls).map(all -> all.<Decision>list()).onComplete(batch);
        });
      });
      starters.add(starter);
      starter.start();
    }
    for (Thread starter : starters) {
      starter.join();
    }
    long allowed = 0;
    for (Future<List<Decision>> batch : batches) {
      allowed += await(batch).stream().filter(Decision::allowed).count();
    }
    assertThat(allowed).isEqualTo(100);
    assertThat(threads).hasSizeGreaterThan(1);
    assertThat(await(limiter.peek("key-a", 100)).remaining()).isZero();
  }
}
