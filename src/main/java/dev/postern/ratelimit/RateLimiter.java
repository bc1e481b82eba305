package dev.postern.ratelimit;

import io.vertx.core.Future;

/**
 * Counts units (messages, requests) per bucket in fixed windows of one wall-clock UTC hour
 * (SPEC §3 "Rate limits"). A bucket is typically an API key id; it resets at the hour boundary.
 *
 * <p>Implementations are safe to call from any thread or event loop and never block the caller.
 */
public interface RateLimiter {

  /**
   * Atomically adds {@code cost} to the bucket's count for the current hour if the result stays
   * ≤ {@code limit}. A refused consume counts nothing, so a batch that does not fit leaves room
   * for a smaller one. Fails with {@link IllegalArgumentException} for a negative cost or limit,
   * and with {@link RateLimiterUnavailableException} when the backing store cannot answer and
   * the adapter is configured to fail closed.
   */
  Future<Decision> consume(String bucket, int cost, long limit);

  /**
   * The bucket's state without consuming, for X-RateLimit-* headers on requests that do not
   * count. {@link Decision#allowed()} says whether one more unit would fit.
   */
  Future<Decision> peek(String bucket, long limit);

  /** Succeeds when the limiter can answer (readiness); fails with {@link RateLimiterUnavailableException}. */
  Future<Void> ping();

  Future<Void> close();
}
