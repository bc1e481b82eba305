package dev.postern.http;

import dev.postern.config.PosternConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One instance per core: listens on the shared HTTP port and serves the router. On undeploy it
 * stops accepting and lets in-flight requests finish within the configured grace period.
 */
public final class HttpApiVerticle extends VerticleBase {

  private final PosternConfig.Http config;
  private final HttpListener listener;
  private final Function<io.vertx.core.Vertx, Router> routerFactory;
  private final HttpEdge edge;
  private HttpServer server;
  private RequestDeadline deadline;

  /**
   * @param listener where to listen, and with which certificate (issue #15 item 5)
   * @param edge the process's connection and body limits, shared by every instance
   */
  public HttpApiVerticle(PosternConfig.Http config, HttpListener listener, HttpEdge edge,
      Function<io.vertx.core.Vertx, Router> routerFactory) {
    this.config = config;
    this.listener = listener;
    this.edge = edge;
    this.routerFactory = routerFactory;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(listener.host())
        .setPort(listener.port())
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // Room for a 10 KB hostile header to reach the authenticator and get the 401 shape.
        .setMaxHeaderSize(32 * 1024)
        .setTcpNoDelay(true);
    listener.applyTls(options);
    deadline = new RequestDeadline(vertx, config.requestTimeout(),
        NoStoreSecrets.around(routerFactory.apply(vertx)));
    server = vertx.createHttpServer(options).connectionHandler(edge::onConnection)
        .requestHandler(deadline);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)
            .onComplete(done -> deadline.stop());
  }
}
