package dev.postern.webhooks;

import dev.postern.queue.Backoff;
import java.time.Duration;

/**
 * How the dispatcher delivers.
 *
 * @param requestTimeout whole-request deadline per attempt (connect, send, response headers)
 * @param firstRetry delay after the first failed attempt; each later one is {@code multiplier}
 *     times longer, capped at {@code maxRetry}, with ±20% jitter
 * @param maxAttempts attempts after which a delivery is marked failed
 * @param horizon age after which a delivery is marked failed after its next failed attempt
 * @param pollInterval backstop poll for due retries and missed NOTIFYs
 * @param concurrency in-flight requests per node
 * @param batchSize deliveries claimed per query
 * @param secretCacheSize signing secrets kept decrypted in memory
 * @param allowPrivateTargets deliver to URLs that resolve to loopback, private, link-local or
 *     metadata addresses too (in-cluster receivers); off by default (issue #15 item 8)
 */
public record WebhookSettings(Duration requestTimeout, Duration firstRetry, double multiplier,
    Duration maxRetry, int maxAttempts, Duration horizon, Duration pollInterval, int concurrency,
    int batchSize, int secretCacheSize, boolean allowPrivateTargets) {

  /** 10 s timeout; retries after 5 s, 30 s, 3 min, … capped at 2 h; failed after 24 h or 15 attempts. */
  public static WebhookSettings defaults() {
    return new WebhookSettings(Duration.ofSeconds(10), Duration.ofSeconds(5), 6.0,
        Duration.ofHours(2), 15, Duration.ofHours(24), Duration.ofSeconds(5), 16, 16, 10_000,
        false);
  }

  public WebhookSettings withRetries(Duration first, double factor, Duration max) {
    return new WebhookSettings(requestTimeout, first, factor, max, maxAttempts, horizon,
        pollInterval, concurrency, batchSize, secretCacheSize, allowPrivateTargets);
  }

  public WebhookSettings withRequestTimeout(Duration timeout) {
    return new WebhookSettings(timeout, firstRetry, multiplier, maxRetry, maxAttempts, horizon,
        pollInterval, concurrency, batchSize, secretCacheSize, allowPrivateTargets);
  }

  public WebhookSettings withMaxAttempts(int attempts) {
    return new WebhookSettings(requestTimeout, firstRetry, multiplier, maxRetry, attempts, horizon,
        pollInterval, concurrency, batchSize, secretCacheSize, allowPrivateTargets);
  }

  public WebhookSettings withPollInterval(Duration interval) {
    return new WebhookSettings(requestTimeout, firstRetry, multiplier, maxRetry, maxAttempts,
        horizon, interval, concurrency, batchSize, secretCacheSize, allowPrivateTargets);
  }

  /** With {@code allowed}, webhooks may reach private and loopback addresses (tests' receivers on 127.0.0.1). */
  public WebhookSettings withPrivateTargets(boolean allowed) {
    return new WebhookSettings(requestTimeout, firstRetry, multiplier, maxRetry, maxAttempts,
        horizon, pollInterval, concurrency, batchSize, secretCacheSize, allowed);
  }

  /** Lease on a claimed delivery: longer than one attempt can take, so it never lapses mid-send. */
  Duration lease() {
    return requestTimeout.multipliedBy(2).plusSeconds(30);
  }

  /** Delay before attempt {@code attempts + 1}, given {@code attempts} failed, jitter in [0,1). */
  Duration retryDelay(int attempts, double jitter) {
    return backoff().delay(attempts, jitter);
  }

  Backoff backoff() {
    return new Backoff(firstRetry, multiplier, maxRetry);
  }
}
