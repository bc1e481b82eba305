package dev.postern.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SharedFuturesTest {

  private Vertx vertx;
  private Context starter;
  private Context caller;

  @BeforeEach
  void twoEventLoops() throws Exception {
    vertx = Vertx.vertx();
    starter = newContext();
    caller = newContext();
    // The failure this guards against needs two threads: contexts are spread over the loops.
    assertThat(threadOf(starter)).isNotSameAs(threadOf(caller));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aLoadInFlightOnAnotherLoopCompletesOnTheCallersContext() throws Exception {
    Promise<Void> go = Promise.promise();
    // Started on one loop, and so bound to it: a query's future, or a timer's.
    Future<String> shared = on(starter, () -> vertx.timer(1).compose(t -> go.future()).map("key"));
    CompletableFuture<Context> continuedOn = new CompletableFuture<>();
    CompletableFuture<String> value = new CompletableFuture<>();
    CompletableFuture<Void> waiting = new CompletableFuture<>();
    caller.runOnContext(v -> {
      SharedFutures.onCallersContext(shared).onComplete(r -> {
        value.complete(r.result());
        continuedOn.complete(Vertx.currentContext());
      });
      waiting.complete(null);
    });
    waiting.get(10, TimeUnit.SECONDS);
    assertThat(shared.isComplete()).isFalse();
    starter.runOnContext(v -> go.complete());
    assertThat(value.get(10, TimeUnit.SECONDS)).isEqualTo("key");
    assertThat(continuedOn.get(10, TimeUnit.SECONDS)).isSameAs(caller);
  }

  @Test
  void aCompletedLoadContinuesAtOnceOnTheCallersThread() throws Exception {
    Future<String> shared = on(starter, () -> vertx.timer(1).map("key"));
    shared.await(10, TimeUnit.SECONDS);
    CompletableFuture<Thread> continuedOn = new CompletableFuture<>();
    caller.runOnContext(v -> {
      Thread here = Thread.currentThread();
      boolean[] atOnce = new boolean[1];
      SharedFutures.onCallersContext(shared).onSuccess(s -> atOnce[0] = Thread.currentThread() == here);
      continuedOn.complete(atOnce[0] ? here : null);
    });
    assertThat(continuedOn.get(10, TimeUnit.SECONDS)).isSameAs(threadOf(caller));
  }

  @Test
  void aFailureReachesTheCallerOnItsContextToo() throws Exception {
    Future<String> shared = on(starter,
        () -> vertx.timer(5).compose(t -> Future.<String>failedFuture(new IllegalStateException("no"))));
    CompletableFuture<Object> seen = new CompletableFuture<>();
    caller.runOnContext(v -> SharedFutures.onCallersContext(shared).onFailure(e ->
        seen.complete(Vertx.currentContext() == caller ? e.getMessage() : Vertx.currentContext())));
    assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("no");
  }

  private static <T> Future<T> on(Context context, Supplier<Future<T>> start) throws Exception {
    CompletableFuture<Future<T>> started = new CompletableFuture<>();
    context.runOnContext(v -> started.complete(start.get()));
    return started.get(10, TimeUnit.SECONDS);
  }

  /** Outside Vert.x a thread keeps one context: a new thread gets the next event loop's. */
  private Context newContext() throws Exception {
    CompletableFuture<Context> created = new CompletableFuture<>();
    new Thread(() -> created.complete(vertx.getOrCreateContext())).start();
    return created.get(10, TimeUnit.SECONDS);
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.get(10, TimeUnit.SECONDS);
  }
}
