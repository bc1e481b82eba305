package dev.postern.http;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Each open connection's client address as text, made once when the connection is accepted
 * ({@link HttpEdge#onConnection}) and forgotten when it closes. The per-address limits, the
 * authentication-failure throttle and every audit row need it; asking the request each time cost
 * vertx-web's forwarded-header parse plus an address-to-text conversion per use (4 % of the
 * gateway's CPU on {@code GET /v1/ping}).
 *
 * <p>The address is the TCP peer's: the router does not trust {@code Forwarded} or
 * {@code X-Forwarded-For} (vertx-web's default), and neither does this.
 */
public final class ClientAddresses {

  private final ConcurrentMap<HttpConnection, String> byConnection = new ConcurrentHashMap<>();

  /** Remembers {@code connection}'s address until {@link #forget}; returns it. */
  String remember(HttpConnection connection) {
    String address = text(connection.remoteAddress());
    byConnection.put(connection, address);
    return address;
  }

  void forget(HttpConnection connection) {
    byConnection.remove(connection);
  }

  /** The request's client address; "" when the peer has none (a domain socket). */
  public String of(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    String address = connection == null ? null : byConnection.get(connection);
    // A connection accepted by a server without the edge's connection handler (tests) or
    // before it ran: computed, not cached.
    return address != null ? address : text(connection == null ? null : connection.remoteAddress());
  }

  static String text(SocketAddress remote) {
    String host = remote == null ? null : remote.hostAddress();
    return host == null ? "" : host;
  }
}
