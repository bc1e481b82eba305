package dev.postern.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FreshReadsTest {

  /** Loads the test completes by hand, in the order they started. */
  private final List<Promise<String>> loads = new ArrayList<>();
  private final List<String> loadedKeys = new ArrayList<>();
  private final FreshReads<String, String> reads = new FreshReads<>(key -> {
    Promise<String> load = Promise.promise();
    loads.add(load);
    loadedKeys.add(key);
    return load.future();
  });

  @Test
  void aCallerArrivingDuringALoadGetsTheNextLoadNeverTheRunningOne() {
    Future<String> first = reads.get("mailbox");
    Future<String> second = reads.get("mailbox");
    Future<String> third = reads.get("mailbox");
    assertThat(loads).hasSize(1);

    loads.get(0).complete("read before second and third arrived");

    assertThat(first.result()).isEqualTo("read before second and third arrived");
    assertThat(second.isComplete()).isFalse();
    assertThat(third.isComplete()).isFalse();
    assertThat(loads).hasSize(2); // one load for both, started after they arrived

    loads.get(1).complete("read after");
    assertThat(second.result()).isEqualTo("read after");
    assertThat(third.result()).isEqualTo("read after");
    assertThat(loads).hasSize(2);
    assertThat(reads.loading()).isZero();
  }

  @Test
  void aCallerAfterAllLoadsReturnedStartsItsOwn() {
    Future<String> first = reads.get("mailbox");
    loads.get(0).complete("one");
    Future<String> later = reads.get("mailbox");
    assertThat(loads).hasSize(2);
    loads.get(1).complete("two");
    assertThat(first.result()).isEqualTo("one");
    assertThat(later.result()).isEqualTo("two");
  }

  @Test
  void keysLoadIndependently() {
    Future<String> a = reads.get("a");
    Future<String> b = reads.get("b");
    assertThat(loadedKeys).containsExactly("a", "b");
    loads.get(1).complete("B");
    assertThat(b.result()).isEqualTo("B");
    assertThat(a.isComplete()).isFalse();
    loads.get(0).complete("A");
    assertThat(a.result()).isEqualTo("A");
  }

  @Test
  void aFailedLoadFailsOnlyItsOwnCallersAndTheNextLoadStillRuns() {
    Future<String> first = reads.get("k");
    Future<String> waiting = reads.get("k");
    loads.get(0).fail(new IllegalStateException("database away"));
    assertThat(first.cause()).hasMessage("database away");
    assertThat(waiting.isComplete()).isFalse();
    loads.get(1).complete("back");
    assertThat(waiting.result()).isEqualTo("back");
  }

  @Test
  void aLoadThatThrowsIsAFailedFutureAndLeavesNothingRunning() {
    FreshReads<String, String> throwing = new FreshReads<>(key -> {
      throw new IllegalArgumentException("bad key " + key);
    });
    assertThat(throwing.get("x").cause()).hasMessage("bad key x");
    assertThat(throwing.loading()).isZero();
  }

  @Test
  void eachCallerContinuesOnItsOwnContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context callerContext = vertx.getOrCreateContext();
      CompletableFuture<Context> continuedOn = new CompletableFuture<>();
      Promise<String> load = Promise.promise();
      FreshReads<String, String> onOtherLoop = new FreshReads<>(key -> load.future());
      callerContext.runOnContext(v -> onOtherLoop.get("k")
          .onComplete(r -> continuedOn.complete(Vertx.currentContext())));
      // The load returns on another context (another event loop's PostgreSQL connection).
      Context loaderContext = vertx.getOrCreateContext();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (onOtherLoop.loading() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(onOtherLoop.loading()).isOne();
      loaderContext.runOnContext(v -> load.complete("v"));
      assertThat(continuedOn.get(10, TimeUnit.SECONDS)).isSameAs(callerContext);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
