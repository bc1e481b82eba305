package dev.postern.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code Cache-Control: no-store} (RFC 9111 §5.2.2.5) on every admin API response (issue #15
 * item 5): key creation, rotation and reveal, and webhook creation carry secrets, which no
 * browser, proxy or client cache may keep. The whole {@code /admin/} tree is marked rather than
 * each secret-bearing route, so a route added later cannot forget it; admin answers are never
 * worth caching. Set on the request's response before routing, so error answers carry it too.
 */
final class NoStoreSecrets {

  private NoStoreSecrets() {}

  static Handler<HttpServerRequest> around(Handler<HttpServerRequest> router) {
    return request -> {
      if (request.path() != null && request.path().startsWith("/admin/")) {
        request.response().putHeader("Cache-Control", "no-store");
      }
      router.handle(request);
    };
  }
}
