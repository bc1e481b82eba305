package dev.postern.auth;

import dev.postern.ratelimit.Decision;
import dev.postern.ratelimit.RateLimiter;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import java.time.Clock;

/**
 * Hourly quotas per key (SPEC §3 "Rate limits"). Sends: {@code rate_limit_per_hour} accepted
 * messages per wall-clock hour, charged only for what is accepted. Inbox reads: a separate
 * per-key request budget. A charge over the limit charges nothing and fails with a
 * {@link Refusal#quota quota refusal} carrying the decision; each edge renders it (REST: 429 with
 * {@code limit}, X-RateLimit-* and Retry-After; SMTP: 451 4.7.1).
 */
public final class Quotas {

  private final RateLimiter limiter;
  private final Clock clock;
  private final int inboxReadsPerHour;

  public Quotas(RateLimiter limiter, Clock clock, int inboxReadsPerHour) {
    this.limiter = limiter;
    this.clock = clock;
    this.inboxReadsPerHour = inboxReadsPerHour;
  }

  /** Charges {@code messages} accepted sends, or refuses (charging nothing) when over quota. */
  public Future<Decision> chargeSends(AuthenticatedKey key, int messages) {
    return limiter.consume(sendBucket(key), messages, key.rateLimitPerHour())
        .compose(decision -> allowedOrRefused(decision, "hourly send quota"));
  }

  /** Gives back sends charged for messages that were then not accepted (storage failed, …). */
  public Future<Void> refundSends(AuthenticatedKey key, int messages) {
    return limiter.refund(sendBucket(key), messages);
  }

  /** The send budget as it stands, charging nothing. */
  public Future<Decision> peekSends(AuthenticatedKey key) {
    return limiter.peek(sendBucket(key), key.rateLimitPerHour());
  }

  /** Charges one inbox read, or refuses when over the hourly read budget. */
  public Future<Decision> chargeInboxRead(AuthenticatedKey key) {
    return limiter.consume(inboxBucket(key), 1, inboxReadsPerHour)
        .compose(decision -> allowedOrRefused(decision, "hourly inbox read limit"));
  }

  /** The inbox read budget as it stands, charging nothing. */
  public Future<Decision> peekInboxReads(AuthenticatedKey key) {
    return limiter.peek(inboxBucket(key), inboxReadsPerHour);
  }

  private Future<Decision> allowedOrRefused(Decision decision, String what) {
    if (decision.allowed()) {
      return Future.succeededFuture(decision);
    }
    return Future.failedFuture(Refusal.quota(decision,
        what + " of " + decision.limit() + " reached; it resets at the top of the hour",
        decision.retryAfterSeconds(clock)));
  }

  private static String sendBucket(AuthenticatedKey key) {
    return "send:" + key.id();
  }

  private static String inboxBucket(AuthenticatedKey key) {
    return "inbox:" + key.id();
  }
}
