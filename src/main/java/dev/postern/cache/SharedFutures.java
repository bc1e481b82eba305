package dev.postern.cache;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * For futures one caller starts and others share (a cached key load, a lookup already in
 * flight). A Vert.x future runs its callbacks on the context it belongs to — the first caller's —
 * not on the context of whoever added them. A caller on another event loop would continue there,
 * and state confined to its own event loop (a delivery verticle's relay connections, an SMTP
 * session) would be touched from two threads at once. A delivery worker that went on on the
 * other worker's loop once handed one relay connection to two transactions: both hung.
 */
public final class SharedFutures {

  private SharedFutures() {}

  /**
   * {@code shared} as the calling context sees it: its callbacks run on the caller's context.
   * Already complete: a fresh future whose callbacks run at once on the caller's thread (no hop).
   * Called off any context: {@code shared} itself.
   */
  public static <T> Future<T> onCallersContext(Future<T> shared) {
    if (shared.isComplete()) {
      return shared.succeeded() ? Future.succeededFuture(shared.result())
          : Future.failedFuture(shared.cause());
    }
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> here = Promise.promise();
    shared.onComplete(result -> {
      if (Vertx.currentContext() == caller) {
        here.handle(result);
      } else {
        caller.runOnContext(v -> here.handle(result));
      }
    });
    return here.future();
  }
}
