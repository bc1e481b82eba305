package dev.postern.auth;

import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
import dev.postern.ratelimit.Decision;
import dev.postern.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * Hourly quotas per key (SPEC §3 "Rate limits"). Sends: {@code rate_limit_per_hour} accepted
 * messages per wall-clock hour, charged only for what is accepted. Inbox reads: a separate
 * per-key request budget. Every authenticated response carries the X-RateLimit-* headers of the
 * budget the route draws on; a refusal is 429 {@code rate_limited} with {@code limit} and
 * Retry-After.
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

  /** Charges {@code messages} accepted sends; fails with 429 (charging nothing) when over quota. */
  public Future<Decision> chargeSends(RoutingContext ctx, AuthenticatedKey key, int messages) {
    return limiter.consume(sendBucket(key), messages, key.rateLimitPerHour())
        .compose(decision -> apply(ctx.response(), decision, "hourly send quota"));
  }

  /**
   * Charges {@code messages} sends without touching a response (the SMTP path, and the send
   * service, which reports a refusal as {@link SendQuotaExceeded}). A refusal charges nothing.
   */
  public Future<Decision> consumeSends(AuthenticatedKey key, int messages) {
    return limiter.consume(sendBucket(key), messages, key.rateLimitPerHour());
  }

  /** Gives back sends charged for messages that were then not accepted (storage failed, …). */
  public Future<Void> refundSends(AuthenticatedKey key, int messages) {
    return limiter.refund(sendBucket(key), messages);
  }

  /** Writes a decision's headers and, if it refused, fails the request with 429. */
  public void respond(RoutingContext ctx, Decision decision) {
    apply(ctx.response(), decision, "hourly send quota").onFailure(ctx::fail);
  }

  /** Thrown when a send would exceed the key's hourly quota; carries the limiter's decision. */
  public static final class SendQuotaExceeded extends RuntimeException {
    private final Decision decision;

    public SendQuotaExceeded(Decision decision) {
      super("hourly send quota reached", null, false, false);
      this.decision = decision;
    }

    public Decision decision() {
      return decision;
    }
  }

  /** Writes the X-RateLimit-* headers of a decision. */
  public static void headers(RoutingContext ctx, Decision decision) {
    headers(ctx.response(), decision);
  }

  /** Route step: the send budget's headers, without charging (ping, status reads, …). */
  public Handler<RoutingContext> sendHeaders() {
    return ctx -> limiter.peek(sendBucket(ApiKeyAuth.key(ctx)), ApiKeyAuth.key(ctx).rateLimitPerHour())
        .onSuccess(decision -> {
          headers(ctx.response(), decision);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  /** Route step: charges one inbox read. */
  public Handler<RoutingContext> chargeInboxRead() {
    return ctx -> limiter.consume(inboxBucket(ApiKeyAuth.key(ctx)), 1, inboxReadsPerHour)
        .compose(decision -> apply(ctx.response(), decision, "hourly inbox read limit"))
        .onSuccess(decision -> ctx.next())
        .onFailure(ctx::fail);
  }

  /** Route step: the inbox budget's headers, without charging. */
  public Handler<RoutingContext> inboxHeaders() {
    return ctx -> limiter.peek(inboxBucket(ApiKeyAuth.key(ctx)), inboxReadsPerHour)
        .onSuccess(decision -> {
          headers(ctx.response(), decision);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  private Future<Decision> apply(HttpServerResponse response, Decision decision, String what) {
    headers(response, decision);
    if (decision.allowed()) {
      return Future.succeededFuture(decision);
    }
    response.putHeader("Retry-After", Long.toString(decision.retryAfterSeconds(clock)));
    return Future.failedFuture(new ApiException(ApiError.RATE_LIMITED,
        what + " of " + decision.limit() + " reached; it resets at the top of the hour",
        java.util.List.of(), decision.limit()));
  }

  private static void headers(HttpServerResponse response, Decision decision) {
    response.putHeader("X-RateLimit-Limit", Long.toString(decision.limit()))
        .putHeader("X-RateLimit-Remaining", Long.toString(decision.remaining()))
        .putHeader("X-RateLimit-Reset", Long.toString(decision.resetEpochSeconds()));
  }

  private static String sendBucket(AuthenticatedKey key) {
    return "send:" + key.id();
  }

  private static String inboxBucket(AuthenticatedKey key) {
    return "inbox:" + key.id();
  }
}
