package dev.postern.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;

/**
 * Builds the router every HTTP verticle instance serves: operational endpoints, the feature route
 * groups, body limits, and the single failure handler.
 */
public final class ApiRouter {

  private ApiRouter() {}

  public static Router create(Vertx vertx, long maxBodyBytes, HttpEdge edge, Readiness readiness,
      PrometheusMeterRegistry metrics, ErrorHandler errors, List<RouteGroup> groups) {
    return create(vertx, maxBodyBytes, edge, readiness, metrics, errors, groups, true);
  }

  /**
   * @param readinessDetail {@code /readyz} names each check's outcome; false (an API listener
   *     with a separate admin listener, issue #15 item 5) answers {@code {ready}} only
   * @param metrics null serves no {@code /metrics}
   */
  public static Router create(Vertx vertx, long maxBodyBytes, HttpEdge edge, Readiness readiness,
      PrometheusMeterRegistry metrics, ErrorHandler errors, List<RouteGroup> groups,
      boolean readinessDetail) {
    Router router = Router.router(vertx);

    router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
    router.get("/readyz").handler(ctx -> readiness.evaluate(vertx).onComplete(result -> {
      JsonObject body = result.result();
      int status = body.getBoolean("ready") ? 200 : 503;
      json(ctx, status, readinessDetail ? body : new JsonObject().put("ready", status == 200));
    }));
    if (metrics != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    }

    // The limit is enforced while the body streams in: a declared Content-Length over it is
    // refused before any byte is read, and a chunked body is cut off at the limit.
    RequestBodyReader reader = new RequestBodyReader(maxBodyBytes);
    // Mounted per route by each group, after authentication (not as a catch-all route, which
    // would turn wrong-method requests into 404s, or, restricted to methods, unknown paths into
    // 405s). Each body read takes one of the edge's body slots (issue #15 item 1).
    Handler<RoutingContext> body = edge.bodies(reader);
    groups.forEach(group -> group.mount(router, body));

    router.route().failureHandler(errors);
    for (int status : new int[] {400, 404, 405, 413, 415, 500, 503}) {
      router.errorHandler(status, errors);
    }
    return router;
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(JsonBodies.encode(body));
  }
}
