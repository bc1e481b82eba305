package dev.postern.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * While more work is due, a busy {@link ClaimLoop} claims again only once {@code refill} slots
 * are free: fewer, larger claims (one statement each), never more in hand than its capacity.
 * Driven on the loop's own context with a queue in memory that answers at once, so each
 * completion's effect is seen before the next.
 */
class ClaimLoopRefillTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aBusyLoopClaimsAgainOnlyWhenRefillSlotsAreFree() throws Exception {
    assertThat(claimSizes(8, 4)).startsWith(8).containsOnly(8, 4);
    assertThat(claimSizes(8, 1)).startsWith(8).containsOnly(8, 1);
  }

  @Test
  void theFourArgumentSettingsRefillAtAQuarter() {
    assertThat(new ClaimLoop.Settings(8, 8, Duration.ofMinutes(1), Duration.ofHours(1)).refill()).isEqualTo(2);
    assertThat(new ClaimLoop.Settings(2, 2, Duration.ofMinutes(1), Duration.ofHours(1)).refill()).isEqualTo(1);
    assertThat(new ClaimLoop.Settings(8, 3, Duration.ofMinutes(1), Duration.ofHours(1), 8).refill())
        .as("never more than a batch").isEqualTo(3);
  }

  /** The sizes of the claims that took 40 due items, completing one item at a time. */
  private List<Integer> claimSizes(int capacity, int refill) throws Exception {
    Context context = vertx.getOrCreateContext();
    InMemoryQueue queue = new InMemoryQueue(40);
    Deque<Promise<Duration>> inHand = new ArrayDeque<>();
    int[] mostInHand = {0};
    ClaimLoop<UUID>[] loop = new ClaimLoop[1];
    on(context, () -> {
      loop[0] = new ClaimLoop<>(vertx, "refill", queue, item -> {
        Promise<Duration> done = Promise.promise();
        inHand.add(done);
        mostInHand[0] = Math.max(mostInHand[0], inHand.size());
        return done.future();
      }, new ClaimLoop.Settings(capacity, capacity, Duration.ofMinutes(1), Duration.ofHours(1), refill));
      loop[0].start();
      return null;
    });
    for (int round = 0; round < 200 && on(context, () -> !inHand.isEmpty()); round++) {
      on(context, () -> {
        inHand.poll().complete(null);
        return null;
      });
    }
    assertThat(queue.remaining()).isZero();
    assertThat(mostInHand[0]).isLessThanOrEqualTo(capacity);
    on(context, () -> loop[0].drain(Duration.ofSeconds(1))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    // The claims that found work (the last ones may find the queue empty).
    return queue.claimed().stream().filter(n -> n > 0).toList();
  }

  private static <T> T on(Context context, Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  /** Due items, claimed at once; records how many each claim took. Confined to one context. */
  private static final class InMemoryQueue implements WorkQueue<UUID> {
    private final Deque<UUID> due = new ArrayDeque<>();
    private final List<Integer> claimed = new ArrayList<>();

    InMemoryQueue(int items) {
      for (int i = 0; i < items; i++) {
        due.add(UUID.randomUUID());
      }
    }

    int remaining() {
      return due.size();
    }

    List<Integer> claimed() {
      return claimed;
    }

    @Override
    public UUID idOf(UUID work) {
      return work;
    }

    @Override
    public Future<List<UUID>> claim(int max, Duration lease) {
      List<UUID> out = new ArrayList<>();
      while (out.size() < max && !due.isEmpty()) {
        out.add(due.poll());
      }
      claimed.add(out.size());
      return Future.succeededFuture(out);
    }

    @Override
    public Future<Void> renew(Collection<UUID> ids, Duration lease) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> release(Collection<UUID> ids, Duration backoff) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Duration> nextDue() {
      return Future.succeededFuture(due.isEmpty() ? null : Duration.ZERO);
    }

    @Override
    public Future<Integer> expireAllLeases() {
      return Future.succeededFuture(0);
    }
  }
}
