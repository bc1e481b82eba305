package dev.postern.http;

import dev.postern.audit.ActorType;
import dev.postern.audit.AuditEntry;
import dev.postern.audit.AuditLog;
import dev.postern.cache.BoundedCache;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * Failed authentication per client address (issue #15 item 2), shared by every HTTP verticle:
 *
 * <ul>
 *   <li>Throttle: an address with {@code maxPerMinute} failed API-key or admin-token attempts in
 *       its current minute gets {@code 429 rate_limited} with {@code Retry-After} for the rest of
 *       that minute, before any key lookup. 429, not a delayed 401: it costs the server nothing
 *       per attempt (no timer, no held connection), and Resend's and Postmark's SDKs already
 *       surface 429 as "rate limited, retry after", so a misconfigured client reads it correctly.
 *   <li>Audit: failures leave {@code auth.failed} rows ({@code details.kind} = {@code api_key},
 *       {@code admin_token} or {@code reveal}; {@code details.failures_this_minute}), at most
 *       {@value #AUDITED_PER_ADDRESS} per address per minute and {@value #AUDITED_PER_MINUTE} in
 *       all per minute, so a flood leaves a trace but cannot flood the audit log.
 * </ul>
 */
public final class AuthFailures {

  public enum Kind {
    API_KEY("api_key", ActorType.API_KEY), ADMIN_TOKEN("admin_token", ActorType.ADMIN),
    REVEAL("reveal", ActorType.ADMIN);

    final String wire;
    final ActorType actor;

    Kind(String wire, ActorType actor) {
      this.wire = wire;
      this.actor = actor;
    }
  }

  static final int AUDITED_PER_ADDRESS = 3;
  static final int AUDITED_PER_MINUTE = 100;
  private static final long MINUTE = 60_000;
  private static final int ADDRESSES = 100_000;

  /** One address's current minute. */
  private static final class Window {
    final long startMillis;
    int failures;

    Window(long startMillis) {
      this.startMillis = startMillis;
    }
  }

  private final int maxPerMinute;
  private final AuditLog audit;
  private final Clock clock;
  private final BoundedCache<String, Window> windows;
  private final ClientAddresses addresses;
  private long auditMinuteStart;
  private int auditedThisMinute;

  public AuthFailures(int maxPerMinute, AuditLog audit, Clock clock, ClientAddresses addresses) {
    this.maxPerMinute = maxPerMinute;
    this.addresses = addresses;
    this.audit = audit;
    this.clock = clock;
    this.windows = new BoundedCache<>(ADDRESSES, MINUTE, clock);
  }

  /**
   * Fails {@code ctx} with 429 (and returns true) when its address has spent its failures for
   * this minute; the caller then stops.
   */
  public boolean refuseIfThrottled(RoutingContext ctx) {
    Window window = windows.get(address(ctx.request()));
    if (window == null) {
      return false;
    }
    int failures;
    synchronized (window) {
      failures = window.failures;
    }
    if (failures < maxPerMinute) {
      return false;
    }
    long retryAfter = Math.max(1, (window.startMillis + MINUTE - clock.millis() + 999) / 1000);
    ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
    ctx.fail(new ApiException(ApiError.RATE_LIMITED,
        "too many failed authentication attempts from your address; retry after " + retryAfter + " s"));
    return true;
  }

  /** Counts a failed attempt of {@code ctx}'s address and audits it within the limits above. */
  public void failed(RoutingContext ctx, Kind kind) {
    HttpServerRequest request = ctx.request();
    String address = address(request);
    Window window = windows.getOrPut(address, a -> new Window(clock.millis()));
    int failures;
    synchronized (window) {
      failures = ++window.failures;
    }
    if (failures <= AUDITED_PER_ADDRESS && takeAuditSlot()) {
      audit.record(new AuditEntry(clock.instant(), kind.actor, null, "auth.failed",
          request.method().name(), request.path(), ApiError.UNAUTHORIZED.status(),
          address.isEmpty() ? null : address, null,
          new JsonObject().put("kind", kind.wire).put("failures_this_minute", failures)));
    }
  }

  private synchronized boolean takeAuditSlot() {
    long now = clock.millis();
    if (now - auditMinuteStart >= MINUTE) {
      auditMinuteStart = now;
      auditedThisMinute = 0;
    }
    return ++auditedThisMinute <= AUDITED_PER_MINUTE;
  }

  private String address(HttpServerRequest request) {
    return addresses.of(request);
  }
}
