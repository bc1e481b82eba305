package dev.postern.wiring;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What has been opened, as a stack of asynchronous closers: each resource is pushed the moment
 * it opens, and {@link #closeAll} closes them in reverse order, one at a time. A closer that fails
 * is logged and the next one still runs, so a failed start or a stop always releases everything
 * that was opened. Safe to push from any thread.
 */
public final class Closers {

  private static final Logger log = LoggerFactory.getLogger(Closers.class);

  private record Closer(String name, Supplier<Future<?>> close) {}

  private final Deque<Closer> stack = new ArrayDeque<>();
  private Promise<Void> closed;

  /** Registers {@code close} to run for {@code resource} and returns the resource. */
  public <T> T push(String name, T resource, Function<? super T, ? extends Future<?>> close) {
    push(name, () -> close.apply(resource));
    return resource;
  }

  public synchronized void push(String name, Supplier<Future<?>> close) {
    if (closed != null) {
      throw new IllegalStateException(name + " opened after close began");
    }
    stack.push(new Closer(name, close));
  }

  /** Starts {@code feature}; once it has started, its stop is pushed. */
  public Future<Void> start(String name, Feature feature) {
    return feature.start().map(v -> {
      push(name, feature::stop);
      return v;
    });
  }

  /** Closes everything pushed, last first. Idempotent: later calls get the same future. */
  public Future<Void> closeAll() {
    synchronized (this) {
      if (closed != null) {
        return closed.future();
      }
      closed = Promise.promise();
    }
    closeNext();
    return closed.future();
  }

  private void closeNext() {
    Closer next;
    synchronized (this) {
      next = stack.poll();
    }
    if (next == null) {
      closed.complete();
      return;
    }
    Future<?> closing;
    try {
      closing = next.close().get();
    } catch (RuntimeException e) {
      closing = Future.failedFuture(e);
    }
    closing.onComplete(result -> {
      if (result.failed()) {
        log.warn("{} shutdown: {}", next.name(), result.cause().toString());
      }
      closeNext();
    });
  }
}
