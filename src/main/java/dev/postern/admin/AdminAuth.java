package dev.postern.admin;

import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
import dev.postern.http.AuthFailures;
import dev.postern.http.Bearer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /admin/v1}: {@code Authorization: Bearer <admin token>}, compared in constant time.
 * API keys never pass here (SPEC §4: only the admin token manages keys). Every failure is the same
 * 401, whatever was wrong.
 */
public final class AdminAuth implements Handler<RoutingContext> {

  /** Marks a request authenticated as the admin, for the audit trail. */
  public static final String ADMIN_ACTOR = "postern.admin";

  private final byte[] token;
  /** Null: failures are neither throttled nor audited (a guard not yet bound to an HTTP edge). */
  private final AuthFailures failures;

  public AdminAuth(String adminToken) {
    this(adminToken.getBytes(StandardCharsets.UTF_8), null);
  }

  private AdminAuth(byte[] token, AuthFailures failures) {
    this.token = token;
    this.failures = failures;
  }

  /** The same guard, throttling and auditing failed attempts per client address (issue #15). */
  public AdminAuth withFailures(AuthFailures failures) {
    return new AdminAuth(token, failures);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (failures != null && failures.refuseIfThrottled(ctx)) {
      return;
    }
    if (!matches(Bearer.token(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)))) {
      failed(ctx, AuthFailures.Kind.ADMIN_TOKEN);
      ctx.fail(new ApiException(ApiError.UNAUTHORIZED, "missing or invalid admin token"));
      return;
    }
    ctx.put(ADMIN_ACTOR, Boolean.TRUE);
    ctx.next();
  }

  /** Counts (and audits, rate-limited) a failed attempt of {@code ctx}'s address. */
  public void failed(RoutingContext ctx, AuthFailures.Kind kind) {
    if (failures != null) {
      failures.failed(ctx, kind);
    }
  }

  /** Constant-time comparison of a presented value with the admin token (also used by reveal). */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token);
  }
}
