package dev.postern.http;

import dev.postern.config.PosternConfig;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one process lets clients hold at its HTTP edge (issue #15 item 1), shared by every HTTP
 * verticle instance: open connections, and bytes of request bodies held (declared
 * {@code Content-Length}, or {@code max_body_bytes} for a chunked body, from the start of reading
 * until the response is done), in total and per client address. A connection over its limit is
 * closed at once, before any request is read; a body over its budget is never read: the (already
 * authenticated) request gets 503 with {@code Retry-After} and its connection closes.
 */
public final class HttpEdge {

  private final AddressSlots connections;
  private final AddressSlots bodyBytes;
  private final long maxBodyBytes;
  private final ClientAddresses addresses = new ClientAddresses();

  public HttpEdge(PosternConfig.Http config) {
    this.connections = new AddressSlots(config.maxConnections(), config.maxConnectionsPerAddress());
    this.bodyBytes = new AddressSlots(config.maxBodyBytesInFlight(),
        config.maxBodyBytesInFlightPerAddress());
    this.maxBodyBytes = config.maxBodyBytes();
  }

  /** For {@code HttpServer.connectionHandler}: takes a connection slot or closes the connection. */
  public void onConnection(HttpConnection connection) {
    String address = addresses.remember(connection);
    if (!connections.tryTake(address, 1)) {
      addresses.forget(connection);
      connection.close();
      return;
    }
    connection.closeHandler(v -> {
      addresses.forget(connection);
      connections.release(address, 1);
    });
  }

  /** The open connections' client addresses, for everything that keys on the client. */
  public ClientAddresses addresses() {
    return addresses;
  }

  /**
   * Wraps the body reader: the body is read only once its bytes are reserved, until the
   * response is done or the connection closes. Put it after authentication, never before
   * (RouteGroup). A body declared over {@code max_body_bytes} reserves nothing: the reader
   * answers 413 at once.
   */
  public Handler<RoutingContext> bodies(Handler<RoutingContext> reader) {
    return ctx -> {
      long bytes = reservation(ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH));
      if (bytes == 0) {
        reader.handle(ctx);
        return;
      }
      String address = addresses.of(ctx.request());
      if (!bodyBytes.tryTake(address, bytes)) {
        ctx.response().putHeader("Retry-After", "1");
        ctx.fail(new ApiException(ApiError.UNAVAILABLE,
            "too many request bodies in progress; try again shortly"));
        return;
      }
      AtomicBoolean released = new AtomicBoolean();
      ctx.addEndHandler(done -> {
        if (released.compareAndSet(false, true)) {
          bodyBytes.release(address, bytes);
        }
      });
      reader.handle(ctx);
    };
  }

  /** The declared length; the largest allowed body when none is declared (chunked). */
  private long reservation(String contentLength) {
    if (contentLength == null) {
      return maxBodyBytes;
    }
    try {
      long declared = Long.parseLong(contentLength.trim());
      return declared < 0 || declared > maxBodyBytes ? 0 : declared;
    } catch (NumberFormatException e) {
      return 0; // the reader refuses it
    }
  }

  public long openConnections() {
    return connections.taken();
  }

  public long bodyBytesInFlight() {
    return bodyBytes.taken();
  }
}
