package dev.postern.http;

import dev.postern.ratelimit.Decision;
import io.vertx.core.http.HttpServerResponse;

/** SPEC §3 "Rate limits": the X-RateLimit-* headers of the budget a route draws on. */
public final class RateLimitHeaders {

  private RateLimitHeaders() {}

  public static void write(HttpServerResponse response, Decision decision) {
    response.putHeader("X-RateLimit-Limit", Long.toString(decision.limit()))
        .putHeader("X-RateLimit-Remaining", Long.toString(decision.remaining()))
        .putHeader("X-RateLimit-Reset", Long.toString(decision.resetEpochSeconds()));
  }
}
