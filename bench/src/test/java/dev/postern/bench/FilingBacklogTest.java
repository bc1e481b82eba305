package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilingBacklogTest {

  @Test
  void drainsUntilNothingIsPendingAndRecordsTheBacklog() throws Exception {
    var counts = new ArrayDeque<>(List.of(30L, 20L, 5L, 0L));
    FilingBacklog.Drain drain = FilingBacklog.drain(counts::poll, 5);
    assertThat(drain.backlog()).isEqualTo(30);
    assertThat(counts).isEmpty();
    assertThat(drain.seconds()).isGreaterThan(0);
    assertThat(drain.rate()).isEqualTo(30 / drain.seconds());
    assertThat(drain.keptUp()).isFalse();
  }

  @Test
  void noBacklogMeansThePipelineKeptUp() throws Exception {
    FilingBacklog.Drain drain = FilingBacklog.drain(() -> 0L, 5);
    assertThat(drain.keptUp()).isTrue();
    assertThat(drain.rate()).isZero();
    assertThat(drain.line("postern-1", 900, 850)).contains("filing kept up");
  }

  @Test
  void aSlowerDrainThanTheAcceptRateIsCalledBehind() {
    var drain = new FilingBacklog.Drain(1000, 2.0, 0);
    assertThat(drain.line("postern-1", 800, 400)).contains("500 msg/s vs accept 800 msg/s")
        .contains("BEHIND");
    assertThat(new FilingBacklog.Drain(1000, 1.0, 0).line("p", 800, 400)).doesNotContain("BEHIND");
  }

  @Test
  void aBacklogThatStopsFallingFailsTheRun() {
    assertThatThrownBy(() -> FilingBacklog.drain(() -> 7L, 0.1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("stuck at 7");
  }
}
