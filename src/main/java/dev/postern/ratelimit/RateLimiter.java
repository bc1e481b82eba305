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

  /**
   * Gives back {@code cost} units an earlier consume charged in the current hour, when the work
   * they paid for did not happen after all (e.g. a message that could not be stored): only what
   * is accepted counts. Applies to the current hour's count and never takes it below zero (a
   * refund crossing the hour boundary can only lower the new hour's count, and refunds follow
   * their charge within milliseconds). Best effort: a store that cannot answer drops the refund
   * (logged); it never fails.
   */
  Future<Void> refund(String bucket, int cost);

  /** Succeeds when the limiter can answer (readiness); fails with {@link RateLimiterUnavailableException}. */
  Future<Void> ping();

  Future<Void> close();
}
