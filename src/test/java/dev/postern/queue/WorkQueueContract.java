package dev.postern.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Migrations;
import dev.postern.support.Eventually;
import dev.postern.support.PgFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link WorkQueue} contract, run against every adapter (James's MailQueueContract style):
 * an adapter's test implements this interface, supplying claimers (one per simulated node) and
 * a way to enqueue work through the adapter's producer path. Each test starts on an empty queue.
 */
public interface WorkQueueContract<W> {

  Duration LONG = Duration.ofMinutes(5);

  /** The adapter as the node named {@code owner} sees it. */
  WorkQueue<W> claimer(String owner);

  /** Enqueues one unit of work, due now, the way producers do; its id. */
  UUID enqueue();

  /** Empties the queue's table. */
  void clear();

  /** A pool on a fresh, migrated database, with room for concurrent claimers. */
  static Pool freshPool(Vertx vertx) {
    return freshPool(vertx, PgFixture.freshDatabaseUrl());
  }

  /** A pool on the database at {@code url}, migrated. */
  static Pool freshPool(Vertx vertx, String url) {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(url).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
    return pool;
  }

  @BeforeEach
  default void emptyQueue() {
    clear();
  }

  private List<UUID> ids(WorkQueue<W> queue, List<W> claimed) {
    return claimed.stream().map(queue::idOf).toList();
  }

  private List<UUID> claim(WorkQueue<W> queue, int max, Duration lease) {
    return ids(queue, queue.claim(max, lease).await());
  }

  @Test
  default void enqueuedWorkIsVisibleToClaim() {
    WorkQueue<W> node = claimer("node-a");
    assertThat(node.nextDue().await()).isNull();
    UUID id = enqueue();
    assertThat(node.nextDue().await()).isEqualTo(Duration.ZERO);
    assertThat(claim(node, 10, LONG)).containsExactly(id);
    assertThat(node.nextDue().await()).as("leased work waits for its lease")
        .isBetween(LONG.minusMinutes(1), LONG);
  }

  @Test
  default void twoClaimersNeverTakeTheSameRow() {
    Set<UUID> all = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      all.add(enqueue());
    }
    WorkQueue<W> a = claimer("node-a");
    WorkQueue<W> b = claimer("node-b");
    List<Future<List<W>>> rounds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rounds.add(a.claim(10, LONG));
      rounds.add(b.claim(10, LONG));
    }
    Future.all(rounds).await();
    List<UUID> claimed = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      claimed.addAll(ids(i % 2 == 0 ? a : b, rounds.get(i).result()));
    }
    assertThat(claimed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    assertThat(claim(b, 10, LONG)).isEmpty();
  }

  @Test
  default void anExpiredLeaseReturnsTheWorkToAnotherNode() {
    UUID id = enqueue();
    WorkQueue<W> dead = claimer("node-dead");
    WorkQueue<W> live = claimer("node-live");
    assertThat(claim(dead, 10, Duration.ofMillis(500))).containsExactly(id);
    assertThat(claim(live, 10, LONG)).as("leased by the other node").isEmpty();
    List<UUID> takenOver = new ArrayList<>();
    Eventually.until(Duration.ofSeconds(10), () -> takenOver.addAll(claim(live, 10, LONG)),
        () -> "the expired lease did not return the work");
    assertThat(takenOver).containsExactly(id);
  }

  @Test
  default void expiringAllLeasesReturnsADeadNodesWorkAtOnce() {
    UUID held = enqueue();
    UUID free = enqueue();
    WorkQueue<W> dead = claimer("node-dead");
    WorkQueue<W> live = claimer("node-live");
    assertThat(claim(dead, 1, LONG)).containsExactly(held);
    assertThat(claim(live, 10, LONG)).as("only the unleased row").containsExactly(free);

    assertThat(live.expireAllLeases().await()).as("leases ended: the dead node's and the live one's").isEqualTo(2);
    assertThat(claim(live, 10, LONG)).as("both claimable at once, no lease left to wait out")
        .containsExactlyInAnyOrder(held, free);
  }

  @Test
  default void renewExtendsTheLease() {
    UUID kept = enqueue();
    UUID lapsed = enqueue();
    WorkQueue<W> a = claimer("node-a");
    WorkQueue<W> b = claimer("node-b");
    assertThat(claim(a, 10, Duration.ofMillis(500))).containsExactlyInAnyOrder(kept, lapsed);
    a.renew(List.of(kept), LONG).await();
    b.renew(List.of(lapsed), LONG).await(); // not b's lease: no effect
    List<UUID> takenOver = new ArrayList<>();
    Eventually.until(Duration.ofSeconds(10), () -> takenOver.addAll(claim(b, 10, LONG)),
        () -> "the unrenewed lease did not expire");
    assertThat(takenOver).containsExactly(lapsed);
    assertThat(claim(b, 10, LONG)).as("the renewed lease still holds").isEmpty();
  }

  @Test
  default void releaseWithBackoffSetsTheNextAttempt() {
    UUID later = enqueue();
    WorkQueue<W> a = claimer("node-a");
    WorkQueue<W> b = claimer("node-b");
    assertThat(claim(a, 10, LONG)).containsExactly(later);
    b.release(List.of(later), Duration.ZERO).await(); // not b's lease: no effect
    assertThat(claim(b, 10, LONG)).isEmpty();
    a.release(List.of(later), Duration.ofHours(1)).await();
    assertThat(claim(b, 10, LONG)).as("not due for an hour").isEmpty();
    assertThat(a.nextDue().await()).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));

    UUID now = enqueue();
    assertThat(claim(a, 10, LONG)).containsExactly(now);
    a.release(List.of(now), Duration.ZERO).await();
    assertThat(claim(b, 10, LONG)).as("released without back-off: due at once").containsExactly(now);
  }

  /**
   * Leases are per node: when one runs out while its item is still in hand (the database was
   * unreachable, renewals failed), a sibling loop of the same node (another delivery verticle)
   * claims it anew — and must not start it a second time (a second relay of the same message).
   */
  @Test
  default void siblingLoopsOfOneNodeNeverStartAnItemInHandTwice() {
    UUID id = enqueue();
    Vertx vertx = Vertx.vertx();
    try {
      Set<UUID> nodeInHand = ClaimLoop.nodeInHand();
      List<UUID> started = new java.util.concurrent.CopyOnWriteArrayList<>();
      Promise<Duration> held = Promise.promise();
      ClaimLoop.Worker<W> worker = item -> {
        started.add(claimer("node-a").idOf(item));
        return held.future();
      };
      ClaimLoop.Settings settings = new ClaimLoop.Settings(4, 4, LONG, Duration.ofHours(1));
      ClaimLoop<W> first = new ClaimLoop<>(vertx, "first", claimer("node-a"), worker, settings, nodeInHand);
      first.start();
      Eventually.until(Duration.ofSeconds(10), () -> started.size() == 1, () -> "the first loop never started it");

      assertThat(claimer("node-a").expireAllLeases().await()).isEqualTo(1);
      List<UUID> claimedBySibling = new java.util.concurrent.CopyOnWriteArrayList<>();
      WorkQueue<W> node = claimer("node-a");
      WorkQueue<W> observed = new WorkQueue<>() {
        @Override public UUID idOf(W work) { return node.idOf(work); }
        @Override public Future<List<W>> claim(int max, Duration lease) {
          return node.claim(max, lease).onSuccess(c -> c.forEach(w -> claimedBySibling.add(node.idOf(w))));
        }
        @Override public Future<Void> renew(java.util.Collection<UUID> ids, Duration lease) { return node.renew(ids, lease); }
        @Override public Future<Void> release(java.util.Collection<UUID> ids, Duration backoff) { return node.release(ids, backoff); }
        @Override public Future<Duration> nextDue() { return node.nextDue(); }
        @Override public Future<Integer> expireAllLeases() { return node.expireAllLeases(); }
      };
      ClaimLoop<W> sibling = new ClaimLoop<>(vertx, "sibling", observed, worker, settings, nodeInHand);
      sibling.start();
      Eventually.until(Duration.ofSeconds(10), () -> claimedBySibling.contains(id),
          () -> "the sibling never claimed the expired lease");
      assertThat(started).as("started once, by the loop that had it in hand").containsExactly(id);

      held.complete(null);
      Eventually.until(Duration.ofSeconds(10), () -> !nodeInHand.contains(id), () -> "still in hand");
      first.drain(Duration.ofSeconds(5)).await();
      sibling.drain(Duration.ofSeconds(5)).await();
    } finally {
      vertx.close().await();
    }
  }
}
