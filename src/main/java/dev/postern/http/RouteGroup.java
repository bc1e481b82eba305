package dev.postern.http;

import io.vertx.ext.web.Router;

/** A feature's routes (emails, inbox, admin, …), mounted on each HTTP verticle's router. */
@FunctionalInterface
public interface RouteGroup {
  void mount(Router router);
}
