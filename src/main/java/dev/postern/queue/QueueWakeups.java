package dev.postern.queue;

import dev.postern.db.CoalescedNotify;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.UUID;

/**
 * Wakes delivery after mail was committed: this node's workers at once (event bus), every other
 * node through one NOTIFY per coalescing interval, sent as its own statement after the commit
 * ({@link CoalescedNotify} says why never inside the accepting transaction).
 */
public final class QueueWakeups {

  private final Vertx vertx;
  private final CoalescedNotify notify;

  public QueueWakeups(Vertx vertx, Pool pool, long coalesceMillis) {
    this.vertx = vertx;
    this.notify = new CoalescedNotify(vertx, pool, OutboundQueue.NOTIFY_CHANNEL, coalesceMillis);
  }

  /** Called after the message's row committed. Never blocks, never fails the caller. */
  public void announce(UUID messageId) {
    vertx.eventBus().publish(OutboundQueue.WAKE_ADDRESS, messageId.toString());
    notify.ring();
  }
}
