package dev.postern.http;

import dev.postern.config.PosternConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one process lets clients hold at its HTTP edge (issue #15 item 1), shared by every HTTP
 * verticle instance: open connections and request bodies being read, in total and per client
 * address. A connection over its limit is closed at once, before any request is read; a body over
 * its limit is never read: the (already authenticated) request gets 503 and its connection closes.
 */
public final class HttpEdge {

  private final AddressSlots connections;
  private final AddressSlots bodies;

  public HttpEdge(PosternConfig.Http config) {
    this.connections = new AddressSlots(config.maxConnections(), config.maxConnectionsPerAddress());
    this.bodies = new AddressSlots(config.maxBodiesInFlight(), config.maxBodiesInFlightPerAddress());
  }

  /** For {@code HttpServer.connectionHandler}: takes a connection slot or closes the connection. */
  public void onConnection(HttpConnection connection) {
    String address = address(connection.remoteAddress());
    if (!connections.tryTake(address)) {
      connection.close();
      return;
    }
    connection.closeHandler(v -> connections.release(address));
  }

  /**
   * Wraps the body reader: the body is read only with a body slot, held until the response is
   * done or the connection closes. Put it after authentication, never before (RouteGroup).
   */
  public Handler<RoutingContext> bodies(Handler<RoutingContext> reader) {
    return ctx -> {
      String address = address(ctx.request().remoteAddress());
      if (!bodies.tryTake(address)) {
        ctx.fail(new ApiException(ApiError.UNAVAILABLE,
            "too many request bodies in progress; try again shortly"));
        return;
      }
      AtomicBoolean released = new AtomicBoolean();
      ctx.addEndHandler(done -> {
        if (released.compareAndSet(false, true)) {
          bodies.release(address);
        }
      });
      reader.handle(ctx);
    };
  }

  public int openConnections() {
    return connections.taken();
  }

  public int bodiesInFlight() {
    return bodies.taken();
  }

  private static String address(SocketAddress remote) {
    return remote == null || remote.hostAddress() == null ? "" : remote.hostAddress();
  }
}
