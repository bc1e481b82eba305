package dev.postern.inbound.filing;

import dev.postern.queue.Backoff;
import dev.postern.queue.ClaimLoop;
import java.time.Duration;

/**
 * @param concurrency deliveries being filed at once per node
 * @param batch deliveries claimed per query
 * @param groupMessages deliveries of one mailbox filed in one transaction at most
 * @param groupBytes raw octets of one group at most (a larger delivery is filed alone)
 * @param lease how long a claim holds before another node may take it over (renewed while busy)
 * @param poll backstop: look for due work at least this often
 * @param maxAttempts attempts after which a delivery is marked {@code failed}
 * @param backoff wait after the n-th failed attempt
 * @param shutdownGrace how long filings in flight may take to finish at shutdown
 */
public record FilingSettings(int concurrency, int batch, int groupMessages, long groupBytes,
    Duration lease, Duration poll,
    int maxAttempts, Backoff backoff, Duration shutdownGrace) {

  ClaimLoop.Settings loop() {
    return new ClaimLoop.Settings(concurrency, batch, lease, poll);
  }
}
