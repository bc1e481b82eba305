package dev.postern.http;

import dev.postern.auth.Quotas;
import dev.postern.ratelimit.Decision;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiFunction;

/**
 * Route steps that put a key's quota on the response (SPEC §3 "Rate limits"): every authenticated
 * response carries the X-RateLimit-* headers of the budget its route draws on. A refusal goes to
 * the {@link ErrorHandler}, which writes the same headers with the 429.
 */
public final class QuotaSteps {

  private final Quotas quotas;

  public QuotaSteps(Quotas quotas) {
    this.quotas = quotas;
  }

  /** The send budget's headers, without charging (ping, status reads, …). */
  public Handler<RoutingContext> sendHeaders() {
    return step((q, ctx) -> q.peekSends(ApiKeyAuth.key(ctx)));
  }

  /** Charges one inbox read. */
  public Handler<RoutingContext> chargeInboxRead() {
    return step((q, ctx) -> q.chargeInboxRead(ApiKeyAuth.key(ctx)));
  }

  /** The inbox budget's headers, without charging. */
  public Handler<RoutingContext> inboxHeaders() {
    return step((q, ctx) -> q.peekInboxReads(ApiKeyAuth.key(ctx)));
  }

  private Handler<RoutingContext> step(BiFunction<Quotas, RoutingContext, Future<Decision>> budget) {
    return ctx -> budget.apply(quotas, ctx)
        .onSuccess(decision -> {
          RateLimitHeaders.write(ctx.response(), decision);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }
}
