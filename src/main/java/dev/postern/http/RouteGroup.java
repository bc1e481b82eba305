package dev.postern.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** A feature's routes (emails, inbox, admin, …), mounted on each HTTP verticle's router. */
@FunctionalInterface
public interface RouteGroup {

  /**
   * Pauses the request so its body waits unread in the socket (TCP flow control pushes back on
   * the client) until the body reader resumes it, or the connection closes on a refusal.
   */
  Handler<RoutingContext> HOLD_BODY = ctx -> {
    ctx.request().pause();
    ctx.next();
  };

  /**
   * @param body the size-limited body reader (a plain handler, so Vert.x accepts it after
   *     others). Put it AFTER authentication on each route that takes a body: no byte of an
   *     unauthenticated body is ever buffered (issue #15 item 1). An authentication step that
   *     completes asynchronously must be preceded by {@link #HOLD_BODY}, or body bytes arriving
   *     meanwhile are lost.
   */
  void mount(Router router, Handler<RoutingContext> body);
}
