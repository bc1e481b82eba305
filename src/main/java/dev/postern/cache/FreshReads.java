package dev.postern.cache;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Coalesces concurrent reads of the same key into one load without ever serving a value read
 * before the caller asked: group commit's idea applied to reads.
 *
 * <p>Per key at most one load runs. A caller that arrives while none runs starts one; a caller
 * that arrives while one runs is not given that load's value (it may have been read before the
 * caller's own earlier write committed) but waits for the <em>next</em> load, which starts when
 * the running one returns and serves everybody who arrived meanwhile. So every value a caller
 * gets was read after its call — read-your-writes holds as with a direct read — while a hot key
 * costs at most one load in flight instead of one per caller.
 *
 * <p>Called from any event loop; each caller's future completes on its own context. Nothing is
 * kept once a key's callers are served: this is not a cache.
 *
 * @param <K> what is read (its {@code equals} decides what coalesces)
 * @param <V> the value a load produces
 */
public final class FreshReads<K, V> {

  private record Waiter<V>(Promise<V> promise, Context context) {}

  /** The callers of one key: {@code next} waits for the load after the running one. */
  private static final class Key<V> {
    List<Waiter<V>> next = new ArrayList<>();
  }

  private final Function<K, Future<V>> load;
  // Guarded by this; a key is present exactly while a load of it runs.
  private final Map<K, Key<V>> running = new HashMap<>();

  /** @param load reads a key's current value (non-blocking) */
  public FreshReads(Function<K, Future<V>> load) {
    this.load = load;
  }

  /** The value of {@code key} as read by a load that started after this call. */
  public Future<V> get(K key) {
    Promise<V> promise = Promise.promise();
    Waiter<V> waiter = new Waiter<>(promise, Vertx.currentContext());
    boolean start;
    synchronized (this) {
      Key<V> state = running.get(key);
      start = state == null;
      if (start) {
        running.put(key, new Key<>());
      } else {
        state.next.add(waiter);
      }
    }
    if (start) {
      run(key, List.of(waiter));
    }
    return promise.future();
  }

  /** How many keys have a load running (for tests and metrics). */
  public synchronized int loading() {
    return running.size();
  }

  private void run(K key, List<Waiter<V>> callers) {
    Future<V> value;
    try {
      value = load.apply(key);
    } catch (RuntimeException e) {
      value = Future.failedFuture(e);
    }
    value.onComplete(result -> {
      for (Waiter<V> waiter : callers) {
        complete(waiter, result);
      }
      List<Waiter<V>> next;
      synchronized (this) {
        Key<V> state = running.get(key);
        next = state.next;
        if (next.isEmpty()) {
          running.remove(key);
        } else {
          state.next = new ArrayList<>();
        }
      }
      if (!next.isEmpty()) {
        run(key, next);
      }
    });
  }

  /** Completes on the caller's own context, so its continuation runs where it began. */
  private static <V> void complete(Waiter<V> waiter, AsyncResult<V> result) {
    Context context = waiter.context();
    if (context == null || context == Vertx.currentContext()) {
      waiter.promise().handle(result);
    } else {
      context.runOnContext(v -> waiter.promise().handle(result));
    }
  }
}
