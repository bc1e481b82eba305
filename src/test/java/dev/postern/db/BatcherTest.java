package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batcher's contract, with statements the test answers by hand. */
class BatcherTest {

  /** One statement the batcher started: its items, answered by the test. */
  private record Run(List<String> items, Promise<List<String>> result) {
    void succeed() {
      result.complete(items.stream().map(i -> "ok " + i).toList());
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Run> runs = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Batcher<String, String> batcher(int maxRows, Duration maxWait, int maxInFlight) {
    return new Batcher<>(vertx, new Batcher.Settings(maxRows, 1 << 20, maxWait, maxInFlight),
        item -> 1, item -> item.length(), batch -> {
          Promise<List<String>> result = Promise.promise();
          runs.add(new Run(batch, result));
          return result.future();
        });
  }

  @Test
  void aLoneItemGoesAtOnce() {
    Batcher<String, String> batcher = batcher(10, Duration.ofSeconds(30), 1);
    Future<String> a = batcher.submit("a");
    assertThat(runs).hasSize(1);
    assertThat(a.isComplete()).isFalse(); // answered only after its statement
    runs.get(0).succeed();
    assertThat(a.result()).isEqualTo("ok a");
  }

  @Test
  void itemsGatheredDuringABatchInFlightGoTogetherAsSoonAsItReturns() {
    // maxWait is long: had the batch that gathered during the flight waited for it, the
    // second statement would not have started when the first returned.
    Batcher<String, String> batcher = batcher(10, Duration.ofSeconds(30), 1);
    batcher.submit("a");
    batcher.submit("b");
    batcher.submit("c");
    assertThat(runs).hasSize(1);
    runs.get(0).succeed();
    assertThat(runs).hasSize(2);
    assertThat(runs.get(1).items()).containsExactly("b", "c");

    batcher.submit("d");
    batcher.submit("e");
    runs.get(1).succeed(); // a shared batch returns to items that gathered during it: at once
    assertThat(runs).hasSize(3);
    assertThat(runs.get(2).items()).containsExactly("d", "e");
  }

  @Test
  void afterASharedBatchAnItemArrivingWhileIdleWaitsAtMostMaxWaitForSiblings() {
    Batcher<String, String> batcher = batcher(10, Duration.ofMillis(200), 1);
    batcher.submit("a");
    batcher.submit("b");
    batcher.submit("c");
    runs.get(0).succeed();
    runs.get(1).succeed(); // the last batch, [b, c], was shared; nothing is pending
    Future<String> d = batcher.submit("d");
    Future<String> e = batcher.submit("e");
    assertThat(runs).hasSize(2); // gathering
    waitFor(() -> runs.size() == 3);
    assertThat(runs.get(2).items()).containsExactly("d", "e");
    runs.get(2).succeed();
    waitFor(() -> d.isComplete() && e.isComplete());
    assertThat(d.result()).isEqualTo("ok d");
  }

  @Test
  void aBatchNeverExceedsMaxRows() {
    Batcher<String, String> batcher = batcher(2, Duration.ZERO, 1);
    batcher.submit("a");
    batcher.submit("b");
    batcher.submit("c");
    batcher.submit("d");
    runs.get(0).succeed();
    assertThat(runs.get(1).items()).containsExactly("b", "c");
    runs.get(1).succeed();
    assertThat(runs.get(2).items()).containsExactly("d");
  }

  @Test
  void aRefusedBatchIsRetriedItemByItemSoOnlyTheGuiltyOneFails() {
    Batcher<String, String> batcher = batcher(10, Duration.ZERO, 1);
    batcher.submit("a");
    Future<String> good = batcher.submit("good");
    Future<String> bad = batcher.submit("bad");
    runs.get(0).succeed();
    runs.get(1).result().fail(new PgException("value too long", "ERROR", "22001", null));
    assertThat(runs).hasSize(4);
    runs.stream().filter(r -> r.items().equals(List.of("good"))).findFirst().orElseThrow().succeed();
    runs.stream().filter(r -> r.items().equals(List.of("bad"))).findFirst().orElseThrow()
        .result().fail(new PgException("value too long", "ERROR", "22001", null));
    assertThat(good.result()).isEqualTo("ok good");
    assertThat(bad.failed()).isTrue();
  }

  @Test
  void aBrokenConnectionFailsEveryItemOfItsBatch() {
    Batcher<String, String> batcher = batcher(10, Duration.ZERO, 1);
    batcher.submit("a");
    Future<String> b = batcher.submit("b");
    Future<String> c = batcher.submit("c");
    runs.get(0).succeed();
    runs.get(1).result().fail(new IllegalStateException("connection closed"));
    assertThat(runs).hasSize(2); // not retried: the outcome is unknown
    assertThat(b.cause()).hasMessage("connection closed");
    assertThat(c.cause()).hasMessage("connection closed");
  }

  private static void waitFor(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }
}
