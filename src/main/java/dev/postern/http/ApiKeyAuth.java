package dev.postern.http;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.auth.KeyAuthenticator;
import dev.postern.auth.LastUsedTracker;
import dev.postern.auth.UnauthorizedException;
import dev.postern.keys.Scope;
import dev.postern.keys.Scopes;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The API-key steps of a route: {@link #authenticate()} first, then {@link #require(Scope)}.
 * Every authentication failure is the same 401 (TESTING.md REST 7); a key in the query string is
 * never read.
 */
public final class ApiKeyAuth {

  public static final String ACTOR_HEADER = "X-Postern-Actor";
  private static final String KEY = "postern.key";
  private static final int MAX_ACTOR_BYTES = 1024;

  private final KeyAuthenticator authenticator;
  private final LastUsedTracker lastUsed;
  private final Consumer<RoutingContext> onAuthenticated;
  private final AuthFailures failures;

  /**
   * @param onAuthenticated e.g. registers the audit record written when the response ends
   * @param failures throttles and audits failed attempts per client address
   */
  public ApiKeyAuth(KeyAuthenticator authenticator, LastUsedTracker lastUsed,
      Consumer<RoutingContext> onAuthenticated, AuthFailures failures) {
    this.authenticator = authenticator;
    this.lastUsed = lastUsed;
    this.onAuthenticated = onAuthenticated;
    this.failures = failures;
  }

  /** The authenticated key of this request (after {@link #authenticate()}). */
  public static AuthenticatedKey key(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  public Handler<RoutingContext> authenticate() {
    return ctx -> {
      // An address that keeps failing is refused before its next key costs a lookup.
      if (failures.refuseIfThrottled(ctx)) {
        return;
      }
      String token = Bearer.token(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
      authenticator.verify(token).onComplete(result -> {
        if (result.failed()) {
          // A refused key is the one 401; anything else (the database down while the key is
          // looked up, …) goes to the error handler, which answers 503 rather than blaming the key.
          if (result.cause() instanceof UnauthorizedException) {
            failures.failed(ctx, AuthFailures.Kind.API_KEY);
            ctx.fail(new ApiException(ApiError.UNAUTHORIZED, "missing or invalid API key"));
          } else {
            ctx.fail(result.cause());
          }
          return;
        }
        AuthenticatedKey key = result.result();
        ctx.put(KEY, key);
        lastUsed.touch(key.id());
        onAuthenticated.accept(ctx);
        String actor = ctx.request().getHeader(ACTOR_HEADER);
        if (actor != null && actor.getBytes(StandardCharsets.UTF_8).length > MAX_ACTOR_BYTES) {
          ctx.fail(ApiException.validation(ACTOR_HEADER, "must be at most 1024 bytes"));
          return;
        }
        ctx.next();
      });
    };
  }

  /** 403 {@code forbidden_scope} unless the key's scopes grant {@code scope}. */
  public Handler<RoutingContext> require(Scope scope) {
    return ctx -> {
      AuthenticatedKey key = ctx.get(KEY);
      if (key == null || !Scopes.grants(key.user(), scope)) {
        ctx.fail(new ApiException(ApiError.FORBIDDEN_SCOPE, "this key lacks the " + scope.wire() + " scope"));
        return;
      }
      ctx.next();
    };
  }
}
