package dev.postern.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** A feature's routes (emails, inbox, admin, …), mounted on each HTTP verticle's router. */
@FunctionalInterface
public interface RouteGroup {

  /**
   * @param body the size-limited body reader; put it on each route that takes a body, after the
   *     authentication step, so an unauthenticated client can never make the server buffer a body
   */
  void mount(Router router, Handler<RoutingContext> body);
}
