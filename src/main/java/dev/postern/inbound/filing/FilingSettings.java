package dev.postern.inbound.filing;

import dev.postern.queue.Backoff;
import dev.postern.queue.ClaimLoop;
import java.time.Duration;

/**
 * @param concurrency deliveries being filed at once per node
 * @param batch deliveries claimed per query
 * @param lease how long a claim holds before another node may take it over (renewed while busy)
 * @param poll backstop: look for due work at least this often
 * @param maxAttempts attempts after which a delivery is marked {@code failed}
 * @param backoff wait after the n-th failed attempt
 * @param shutdownGrace how long filings in flight may take to finish at shutdown
 */
public record FilingSettings(int concurrency, int batch, Duration lease, Duration poll,
    int maxAttempts, Backoff backoff, Duration shutdownGrace) {

  ClaimLoop.Settings loop() {
    return new ClaimLoop.Settings(concurrency, batch, lease, poll);
  }
}
