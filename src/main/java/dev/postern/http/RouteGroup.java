package dev.postern.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** A feature's routes (emails, inbox, admin, …), mounted on each HTTP verticle's router. */
@FunctionalInterface
public interface RouteGroup {

  /**
   * @param body the size-limited body reader; put it first on each route that takes a body
   *     (Vert.x 5 refuses a body handler after an authentication or user handler). The limit
   *     bounds what even an unauthenticated client can make the server buffer.
   */
  void mount(Router router, Handler<RoutingContext> body);
}
