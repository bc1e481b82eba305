package dev.postern.delivery;

import dev.postern.config.PosternConfig.Relay;
import dev.postern.delivery.smtp.RelayConnector;
import dev.postern.delivery.smtp.SmtpConnection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Connections to one relay, owned by one delivery verticle (so confined to its event loop): at
 * most {@code max} open at once, reused between messages, closed after sitting idle. Callers
 * beyond the limit wait in order.
 *
 * <p>Nothing here is thread-safe, so use from another thread is refused rather than allowed to
 * corrupt the deques: a delivery that went on on the other worker's loop (a shared future's
 * callback, see {@code SharedFutures}) once had one idle connection handed to two transactions,
 * whose pipelined commands and replies then interleaved until both hung.
 */
final class RelayPool {

  private static final long COOLDOWN_NANOS = 10_000_000_000L;

  private final Vertx vertx;
  private final Relay relay;
  private final int max;
  private final RelayConnector connector;
  private final long idleTimeoutMs;
  private final Deque<SmtpConnection> idle = new ArrayDeque<>();
  private final Deque<Promise<SmtpConnection>> waiters = new ArrayDeque<>();
  private final long sweeper;
  private int open;
  private boolean closed;
  private long downUntil = System.nanoTime();
  private final Thread home = Thread.currentThread();

  RelayPool(Vertx vertx, Relay relay, int max, RelayConnector connector, long idleTimeoutMs) {
    this.vertx = vertx;
    this.relay = relay;
    this.max = max;
    this.connector = connector;
    this.idleTimeoutMs = idleTimeoutMs;
    this.sweeper = vertx.setPeriodic(Math.max(100, idleTimeoutMs / 2), t -> closeExpired());
  }

  Relay relay() {
    return relay;
  }

  int max() {
    return max;
  }

  /**
   * False for a while after a connection to this relay failed, so failover skips it instead
   * of paying a connect timeout per message; a working connection clears it.
   */
  boolean available() {
    return open > 0 || System.nanoTime() - downUntil >= 0;
  }

  Future<SmtpConnection> acquire() {
    if (Thread.currentThread() != home) {
      return Future.failedFuture(offHome());
    }
    if (closed) {
      return Future.failedFuture(new IllegalStateException("relay pool closed"));
    }
    SmtpConnection reuse;
    while ((reuse = idle.pollLast()) != null) {
      if (reuse.usable()) {
        return Future.succeededFuture(reuse);
      }
      open--;
    }
    if (open < max) {
      return openOne();
    }
    Promise<SmtpConnection> waiter = Promise.promise();
    waiters.add(waiter);
    return waiter.future();
  }

  private IllegalStateException offHome() {
    return new IllegalStateException("relay pool of " + relay.name() + " used on "
        + Thread.currentThread().getName() + ", not on its event loop " + home.getName());
  }

  private Future<SmtpConnection> openOne() {
    open++;
    return connector.connect(relay).onFailure(e -> {
      open--;
      downUntil = System.nanoTime() + COOLDOWN_NANOS;
      // Waiters queued behind a failing relay get their own attempt (and its failure).
      Promise<SmtpConnection> next = waiters.poll();
      if (next != null) {
        openOne().onComplete(next);
      }
    });
  }

  /** Returns a connection between transactions; a waiter gets it first. */
  void release(SmtpConnection connection) {
    if (Thread.currentThread() != home) {
      throw offHome();
    }
    if (!connection.usable() || closed) {
      discard(connection);
      return;
    }
    Promise<SmtpConnection> next = waiters.poll();
    if (next != null) {
      next.complete(connection);
      return;
    }
    connection.markIdle(System.nanoTime());
    idle.addLast(connection);
  }

  /** Closes a connection that cannot be reused; a waiter gets a fresh one in its place. */
  void discard(SmtpConnection connection) {
    if (Thread.currentThread() != home) {
      throw offHome();
    }
    connection.abort("discarded");
    open--;
    Promise<SmtpConnection> next = waiters.poll();
    if (next != null) {
      if (closed) {
        next.fail(new IllegalStateException("relay pool closed"));
      } else {
        openOne().onComplete(next);
      }
    }
  }

  private void closeExpired() {
    long now = System.nanoTime();
    List<SmtpConnection> expired = new ArrayList<>();
    idle.removeIf(c -> {
      boolean old = !c.usable() || now - c.idleSince() > idleTimeoutMs * 1_000_000;
      if (old) {
        expired.add(c);
      }
      return old;
    });
    open -= expired.size();
    expired.forEach(SmtpConnection::quit);
  }

  Future<Void> close() {
    closed = true;
    vertx.cancelTimer(sweeper);
    waiters.forEach(w -> w.tryFail(new IllegalStateException("relay pool closed")));
    waiters.clear();
    List<Future<Void>> quits = new ArrayList<>();
    idle.forEach(c -> quits.add(c.quit()));
    open -= idle.size();
    idle.clear();
    return Future.join(quits).mapEmpty();
  }
}
