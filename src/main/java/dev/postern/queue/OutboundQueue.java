package dev.postern.queue;

import io.vertx.core.Future;

/**
 * The delivery queue (SPEC §1, §6): the {@link WorkQueue} of outbound messages, settled after
 * each attempt. Producers (the send path) enqueue inside the statement that stores the message,
 * and wake consumers after committing, through {@link QueueWakeups}: a local event-bus publish to
 * {@link #WAKE_ADDRESS}, and a coalesced {@code pg_notify(NOTIFY_CHANNEL, '')} for the other nodes.
 */
public interface OutboundQueue extends WorkQueue<Claim> {

  /** Local event-bus address; body: the message id (ignored). Wakes the delivery verticles. */
  String WAKE_ADDRESS = "postern.delivery.wake";

  /** PostgreSQL LISTEN/NOTIFY channel that wakes delivery on every node. */
  String NOTIFY_CHANNEL = "postern_queue";

  /**
   * Enqueueing as a step of the caller's own statement, so the queue rows commit atomically with
   * the messages in one round trip and one WAL flush (no extra statement, no transaction): a
   * data-modifying CTE body the caller names and places in its {@code WITH}.
   *
   * @param messages a table expression of the messages to enqueue, with columns
   *     {@code id uuid}, {@code due_at timestamptz} ({@link #PARKED} to park it) and
   *     {@code last_error text} (any number of rows)
   */
  String enqueue(String messages);

  /**
   * The due time of mail accepted while no relay is configured (SPEC §4a: it stays
   * {@code deferred} with reason "no relay configured"): never due, so no worker claims, defers
   * and re-claims it; {@link #unpark} makes it due once a node with a relay starts.
   */
  String PARKED = "infinity";

  /**
   * Makes every parked message due now, with its retry horizon counted from now (the horizon
   * is for a relay that keeps refusing, not for the time no relay existed). Called when a node
   * with a relay starts.
   *
   * @return how many messages were unparked
   */
  Future<Integer> unpark();

  /**
   * Writes an attempt's outcome atomically; the queue row is removed or rescheduled only if
   * this node still holds its lease.
   *
   * @return false when the lease had been lost (the row was left alone)
   */
  Future<Boolean> settle(Settlement settlement);
}
