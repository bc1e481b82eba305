package dev.postern.ratelimit.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.ratelimit.RateLimiter;
import dev.postern.ratelimit.RateLimiterContract;
import dev.postern.support.ManualClock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MemoryRateLimiterTest implements RateLimiterContract {

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @Override
  public RateLimiter limiter(ManualClock clock) {
    return new MemoryRateLimiter(clock);
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Test
  void countersOfPastHoursAreEvicted() {
    ManualClock clock = new ManualClock(MID_HOUR);
    MemoryRateLimiter limiter = new MemoryRateLimiter(clock);
    for (int i = 0; i < 10_000; i++) {
      limiter.consume("flood-" + i, 1, 10);
    }
    assertThat(limiter.trackedBuckets()).isEqualTo(10_000);

    clock.advance(Duration.ofHours(1));
    limiter.consume("key-a", 1, 10);
    assertThat(limiter.trackedBuckets()).isEqualTo(1);
  }
}
