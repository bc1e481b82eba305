package dev.postern.http;

import dev.postern.ratelimit.Decision;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** SPEC §3 "Rate limits": the X-RateLimit-* headers of the budget a route draws on. */
public final class RateLimitHeaders {

  // Names made once (validated, hashed, encoded), not per response: every authenticated
  // answer carries all three.
  private static final CharSequence LIMIT = HttpHeaders.createOptimized("X-RateLimit-Limit");
  private static final CharSequence REMAINING = HttpHeaders.createOptimized("X-RateLimit-Remaining");
  private static final CharSequence RESET = HttpHeaders.createOptimized("X-RateLimit-Reset");

  private RateLimitHeaders() {}

  public static void write(HttpServerResponse response, Decision decision) {
    response.putHeader(LIMIT, Long.toString(decision.limit()))
        .putHeader(REMAINING, Long.toString(decision.remaining()))
        .putHeader(RESET, Long.toString(decision.resetEpochSeconds()));
  }
}
