package dev.postern.admin;

import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
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

  public AdminAuth(String adminToken) {
    this.token = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!matches(Bearer.token(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)))) {
      ctx.fail(new ApiException(ApiError.UNAUTHORIZED, "missing or invalid admin token"));
      return;
    }
    ctx.put(ADMIN_ACTOR, Boolean.TRUE);
    ctx.next();
  }

  /** Constant-time comparison of a presented value with the admin token (also used by reveal). */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token);
  }
}
