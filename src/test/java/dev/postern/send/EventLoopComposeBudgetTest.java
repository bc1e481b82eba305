package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue #15.9: one request composes a bounded total on the event loop, the rest on the worker. */
class EventLoopComposeBudgetTest {

  @Test
  void aBatchOfMessagesJustUnderThePerMessageBoundUsesTheLoopOnlyUpToTheTotal() {
    EventLoopComposeBudget budget = new EventLoopComposeBudget();
    List<Boolean> onLoop = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      onLoop.add(budget.take(EventLoopComposeBudget.PER_MESSAGE - 1));
    }
    long composedOnLoop = onLoop.stream().filter(b -> b).count();
    assertThat(composedOnLoop * (EventLoopComposeBudget.PER_MESSAGE - 1))
        .isLessThanOrEqualTo(EventLoopComposeBudget.PER_REQUEST);
    assertThat(composedOnLoop).isEqualTo(4);
    assertThat(onLoop.subList(0, 4)).containsOnly(true);
    assertThat(onLoop.subList(4, 100)).containsOnly(false);
  }

  @Test
  void largeMessagesNeverAndSmallOnesStillFitAfterALargeOneWentToTheWorker() {
    EventLoopComposeBudget budget = new EventLoopComposeBudget();
    assertThat(budget.take(EventLoopComposeBudget.PER_MESSAGE)).isFalse();
    assertThat(budget.take(200 * 1024)).isFalse();
    assertThat(budget.take(1_000)).isTrue();
    assertThat(budget.take(EventLoopComposeBudget.PER_REQUEST)).isFalse();
  }
}
