package dev.postern.queue;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The delivery queue (SPEC §1, §6): rows claimed under a lease by one node at a time, settled
 * after each attempt. Producers (the send path) wake consumers after committing, through
 * {@link QueueWakeups}: a local event-bus publish to {@link #WAKE_ADDRESS}, and a coalesced
 * {@code pg_notify(NOTIFY_CHANNEL, '')} for the other nodes.
 */
public interface OutboundQueue {

  /** Local event-bus address; body: the message id (ignored). Wakes the delivery verticles. */
  String WAKE_ADDRESS = "postern.delivery.wake";

  /** PostgreSQL LISTEN/NOTIFY channel that wakes delivery on every node. */
  String NOTIFY_CHANNEL = "postern_queue";

  /** Up to {@code max} due, unleased rows, now leased to this node for {@code lease}. */
  Future<List<Claim>> claim(int max, Duration lease);

  /** Extends the leases of rows this node still works on. */
  Future<Void> renew(Collection<UUID> messageIds, Duration lease);

  /** Gives rows back unattempted (graceful shutdown): claimable again at once. */
  Future<Void> release(Collection<UUID> messageIds);

  /**
   * Writes an attempt's outcome atomically; the queue row is removed or rescheduled only if
   * this node still holds its lease.
   *
   * @return false when the lease had been lost (the row was left alone)
   */
  Future<Boolean> settle(Settlement settlement);

  /** Time until the next row falls due, if any is waiting and unleased. */
  Future<Duration> nextDue();
}
