package dev.postern.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void growsByTheFactorFromTheBaseUpToTheCap() {
    Backoff doubling = Backoff.doubling(Duration.ofSeconds(10), Duration.ofMinutes(1));
    assertThat(doubling.delay(1, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(doubling.delay(2, 0.5)).isEqualTo(Duration.ofSeconds(20));
    assertThat(doubling.delay(3, 0.5)).isEqualTo(Duration.ofSeconds(40));
    assertThat(doubling.delay(4, 0.5)).isEqualTo(Duration.ofMinutes(1));
    assertThat(doubling.delay(10_000, 0.5)).isEqualTo(Duration.ofMinutes(1));
    assertThat(new Backoff(Duration.ofSeconds(5), 6, Duration.ofHours(2)).delay(3, 0.5))
        .isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void jitterSpreadsTwentyPercentEitherWay() {
    Backoff backoff = Backoff.doubling(Duration.ofSeconds(100), Duration.ofHours(1));
    assertThat(backoff.delay(1, 0.0)).isEqualTo(Duration.ofSeconds(80));
    assertThat(backoff.delay(1, 0.999999)).isBetween(Duration.ofMillis(119_999), Duration.ofSeconds(120));
  }

  @Test
  void aCapBelowTheBaseIsTheBaseAndTheFactorNeverShrinks() {
    assertThat(Backoff.doubling(Duration.ofSeconds(10), Duration.ofSeconds(1)).delay(5, 0.5))
        .isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
