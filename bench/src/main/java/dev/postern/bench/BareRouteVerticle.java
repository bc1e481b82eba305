package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The "HTTP ceiling" reference of BENCHMARKS.md: a vertx-web router with nothing behind it.
 * {@code GET /ping} answers small JSON; {@code POST /echo} parses the JSON body (the work any
 * JSON API must do) and answers its size. Postern's figures are read as a ratio against this.
 */
final class BareRouteVerticle extends VerticleBase {

  /** Large enough for the 200 KB attachment scenario once base64-encoded. */
  private static final long BODY_LIMIT = 64L * 1024 * 1024;
  private static final String PONG = new JsonObject().put("ok", true).put("pong", "bare").encode();

  private final String host;
  private final int port;

  BareRouteVerticle(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/ping").handler(this::ping);
    router.post("/echo").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT)).handler(this::echo);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(router)
        .listen();
  }

  private void ping(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(PONG);
  }

  private void echo(RoutingContext ctx) {
    JsonObject parsed;
    try {
      parsed = ctx.body().asJsonObject();
    } catch (RuntimeException malformed) {
      ctx.response().setStatusCode(400).end();
      return;
    }
    if (parsed == null) {
      ctx.response().setStatusCode(400).end();
      return;
    }
    ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("ok", true).put("fields", parsed.size())
            .put("bytes", ctx.body().length()).encode());
  }
}
