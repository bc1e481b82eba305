package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The in-memory side of group filing: threading in order, and the group's received_at bound. */
class GroupThreadsTest {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aReplyJoinsAParentPlacedEarlierInTheGroupAndAStoredThread() {
    UUID stored = UUID.randomUUID();
    GroupThreads g = new GroupThreads(Map.of("old@x", stored), List.of(new Threader.Existing(
        new Threader.Known(stored, 2, "Old", T.minusSeconds(60)), 2, 2)));
    GroupThreads.Placement root = g.place(List.of("root@x"), "Plans", T);
    GroupThreads.Placement reply = g.place(List.of("reply@x", "root@x"), "Re: Plans", T.plusNanos(1000));
    GroupThreads.Placement late = g.place(List.of("late@x", "old@x"), "Re: Old", T.plusNanos(2000));

    assertThat(root.decision().created()).isTrue();
    assertThat(root.position()).isEqualTo(1);
    assertThat(reply.decision().threadId()).isEqualTo(root.decision().threadId());
    assertThat(reply.decision().created()).isFalse();
    assertThat(reply.decision().messageCount()).isEqualTo(2);
    assertThat(reply.decision().subject()).isEqualTo("Plans");
    assertThat(reply.position()).isEqualTo(2);
    assertThat(late.decision().threadId()).isEqualTo(stored);
    assertThat(late.position()).isEqualTo(3);
    assertThat(late.decision().subject()).isEqualTo("Old");
    assertThat(g.toRenumber()).isEmpty();
  }

  @Test
  void aMergeMovesTheGroupsEarlierMessagesAndAskForRenumbering() {
    GroupThreads g = new GroupThreads(Map.of(), List.of());
    UUID a = g.place(List.of("a@x"), "A", T).decision().threadId();
    UUID b = g.place(List.of("b@x"), "B", T.plusNanos(1000)).decision().threadId();
    g.place(List.of("a2@x", "a@x"), "Re: A", T.plusNanos(2000));
    GroupThreads.Placement both = g.place(List.of("both@x", "a@x", "b@x"), "Re: A", T.plusNanos(3000));

    assertThat(both.decision().threadId()).isEqualTo(a);
    assertThat(both.decision().absorbed()).containsExactly(b);
    assertThat(both.position()).isEqualTo(4);
    assertThat(List.of(g.threadOf(0), g.threadOf(1), g.threadOf(2), g.threadOf(3))).containsOnly(a);
    assertThat(g.toRenumber()).containsExactly(a);
    // The merged thread's refs all lead to it now.
    assertThat(g.place(List.of("c@x", "b@x"), "Re: B", T.plusNanos(4000)).decision().threadId()).isEqualTo(a);
  }

  @Test
  void aStoredThreadWithAHoleInItsPositionsIsRenumbered() {
    UUID stored = UUID.randomUUID();
    GroupThreads g = new GroupThreads(Map.of("p@x", stored), List.of(new Threader.Existing(
        new Threader.Known(stored, 2, "P", T.minusSeconds(60)), 2, 3)));
    assertThat(g.place(List.of("s@x", "p@x"), "Re: P", T).position()).isEqualTo(3);
    assertThat(g.toRenumber()).containsExactly(stored);
  }

  @Test
  void theGroupsLastReceivedAtIsTheStepByStepOne() {
    Random random = new Random(13);
    for (int round = 0; round < 200; round++) {
      List<Instant> receipts = new ArrayList<>();
      for (int i = 0, n = 1 + random.nextInt(20); i < n; i++) {
        receipts.add(T.plus(Duration.ofNanos(1000L * random.nextInt(30))));
      }
      Instant stepwise = null;
      for (Instant r : receipts) {
        stepwise = stepwise == null || r.isAfter(stepwise) ? r : stepwise.plusNanos(1000);
      }
      assertThat(MessageFiling.lastCandidate(receipts)).as("receipts %s", receipts).isEqualTo(stepwise);
    }
  }
}
