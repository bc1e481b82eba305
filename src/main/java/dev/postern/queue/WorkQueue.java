package dev.postern.queue;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * A leased work queue (SPEC §1, §6): rows of work that any node may claim, held by one node at a
 * time under a lease that the holder renews while it works and that expires if the node dies, so
 * another node takes the work over. Each kind of work (outbound delivery, webhook deliveries,
 * next inbound processing) is one adapter over its own table; {@link ClaimLoop} drives any of
 * them. Every operation takes or returns many rows in one statement.
 *
 * @param <W> a claimed unit of work with what its worker needs
 */
public interface WorkQueue<W> {

  /** The id the lease is held under. */
  UUID idOf(W work);

  /** Up to {@code max} due, unleased rows, now leased to this node for {@code lease}. */
  Future<List<W>> claim(int max, Duration lease);

  /** Extends the leases this node holds on {@code ids}; rows it no longer holds are left alone. */
  Future<Void> renew(Collection<UUID> ids, Duration lease);

  /**
   * Gives rows this node holds back unattempted, claimable again once {@code backoff} has passed
   * (zero: at once, e.g. on graceful shutdown). The attempt is not counted.
   */
  Future<Void> release(Collection<UUID> ids, Duration backoff);

  /**
   * Time until the next row can be claimed: it is due and unleased, or its lease expires (zero if
   * one can be claimed now); null if no work waits.
   */
  Future<Duration> nextDue();

  /**
   * Ends every lease held on this queue's rows, by any node, as if each had run out, so their
   * work can be claimed at once. Only for a database no other live node uses: the embedded
   * server a gateway starts in its data directory, where every lease found at start belongs to a
   * process that is gone (kill -9), and waiting out its lease would only delay the work.
   *
   * @return the number of leases ended
   */
  Future<Integer> expireAllLeases();
}
