package dev.postern.wiring;

import dev.postern.queue.WorkQueue;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start on a database only this process uses (the embedded default), work a killed process
 * had claimed is taken over at once instead of after its lease ({@code delivery.lease_seconds},
 * the filing and webhook leases): each node's lease owner name is new per process start, so a
 * restarted gateway would otherwise wait out its own predecessor's leases. On a shared database
 * the leases of other nodes are left alone: they may be alive.
 */
final class DeadLeases {

  private static final Logger log = LoggerFactory.getLogger(DeadLeases.class);

  private DeadLeases() {}

  static Future<Void> takeOver(Core core, String work, WorkQueue<?> queue) {
    if (!core.database().exclusive()) {
      return Future.succeededFuture();
    }
    return queue.expireAllLeases().map(n -> {
      if (n > 0) {
        log.info("{}: {} items leased by a process that is gone are claimable now", work, n);
      }
      return null;
    });
  }
}
