package dev.postern.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final Instant first = Instant.parse("2026-11-22T10:00:00Z");

  private RetryPolicy policy(double random) {
    return new RetryPolicy(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofHours(48), () -> random);
  }

  @Test
  void doublesFromTheBaseUpToTheCap() {
    RetryPolicy mid = policy(0.5); // jitter factor exactly 1.0
    assertThat(mid.next(1, first, first)).isEqualTo(new RetryPolicy.Retry(Duration.ofMinutes(1)));
    assertThat(mid.next(2, first, first)).isEqualTo(new RetryPolicy.Retry(Duration.ofMinutes(2)));
    assertThat(mid.next(4, first, first)).isEqualTo(new RetryPolicy.Retry(Duration.ofMinutes(8)));
    assertThat(mid.next(7, first, first)).isEqualTo(new RetryPolicy.Retry(Duration.ofHours(1)));
    assertThat(mid.next(500, first, first)).isEqualTo(new RetryPolicy.Retry(Duration.ofHours(1)));
  }

  @Test
  void jitterStaysWithinTwentyPercent() {
    assertThat(policy(0.0).next(1, first, first)).isEqualTo(new RetryPolicy.Retry(Duration.ofSeconds(48)));
    RetryPolicy.Retry high = (RetryPolicy.Retry) policy(0.999999).next(1, first, first);
    assertThat(high.delay()).isBetween(Duration.ofSeconds(71), Duration.ofSeconds(72));
  }

  @Test
  void lastRetryLandsOnTheHorizonThenGivesUp() {
    Instant nearEnd = first.plus(Duration.ofHours(48)).minusSeconds(90);
    assertThat(policy(0.5).next(40, first, nearEnd)).isEqualTo(new RetryPolicy.Retry(Duration.ofSeconds(90)));
    assertThat(policy(0.5).next(41, first, first.plus(Duration.ofHours(48))))
        .isInstanceOf(RetryPolicy.GiveUp.class);
  }
}
