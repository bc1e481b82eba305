package dev.postern.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server's request metrics, with the names and labels vertx-micrometer-metrics gives them
 * ({@code vertx_http_server_requests_total{method,route,code}}, {@code …_response_time_seconds},
 * {@code …_response_bytes}, {@code …_request_bytes{method}}, {@code …_active_requests{method}},
 * {@code …_request_resets_total{method}}), but with each meter looked up once and then kept.
 *
 * <p>Why our own: vertx-micrometer-metrics 5.0.10 builds a {@code Tags} and asks the registry for
 * the meter five times per request ({@code MeterProvider.withTags} → {@code registerMeterIfNecessary},
 * which hashes and compares the whole id every time); on {@code GET /v1/ping} that was 12.8 % of
 * the gateway's CPU (bench/RESULTS.md, session 13). Here a request costs one map lookup by
 * (method, route, code) for its response meters and a field read for its method's meters.
 *
 * <p>Connection-level metrics (open connections, bytes, errors, websockets) stay the delegate's.
 * Label values are bounded: a method outside {@link HttpMethod#values()} is labelled
 * {@code OTHER} (a client must not mint meters), routes are the router's templates, codes are
 * three digits.
 *
 * <p>A connection with no socket metric is left unmetered: Vert.x 5.0.10's
 * {@code NetServerImpl.bind} starts accepting before it creates the server's metrics, and the
 * delegate threw a NullPointerException on such a connection's first request, leaving it
 * unanswered (issue #9; StartupRequestsIT).
 */
final class HttpServerRequestMetrics implements HttpServerMetrics<HttpServerRequestMetrics.Request,
    Object, Object> {

  private final HttpRequestMeters meters;
  private final HttpServerMetrics<Object, Object, Object> connections;

  /**
   * @param meters shared by every HTTP server of one registry: a gauge registered twice under
   *     one id keeps only the first object it reads, so each id must have one owner
   * @param connections the delegate's metrics for the same server (connections, bytes, errors)
   */
  @SuppressWarnings("unchecked")
  HttpServerRequestMetrics(HttpRequestMeters meters, HttpServerMetrics<?, ?, ?> connections) {
    this.meters = meters;
    this.connections = (HttpServerMetrics<Object, Object, Object>) connections;
  }

  /** One request in flight; touched only by its connection's event loop. */
  static final class Request {
    final HttpRequestMeters.MethodMeters method;
    final long startNanos;
    String route;
    boolean requestEnded;
    boolean responseEnded;
    boolean reset;

    Request(HttpRequestMeters.MethodMeters method, long startNanos) {
      this.method = method;
      this.startNanos = startNanos;
    }

    /** True once both halves are done; the active-requests gauge drops exactly once. */
    boolean finish() {
      return !reset && requestEnded && responseEnded;
    }
  }

  @Override
  public Request requestBegin(Object socketMetric, HttpRequest request) {
    if (socketMetric == null) {
      return null;
    }
    HttpRequestMeters.MethodMeters method = meters.of(request.method());
    method.active().increment();
    return new Request(method, System.nanoTime());
  }

  @Override
  public void requestRouted(Request request, String route) {
    if (request == null || route == null) {
      return;
    }
    // Sub-routers report each level; vertx-micrometer-metrics joins them with '>'.
    request.route = request.route == null ? route : request.route + '>' + route;
  }

  @Override
  public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
    if (request == null) {
      return;
    }
    request.method.requestBytes().record(bytesRead);
    request.requestEnded = true;
    if (request.finish()) {
      request.method.active().decrement();
    }
  }

  @Override
  public void requestReset(Request request) {
    if (request == null) {
      return;
    }
    request.method.resets().increment();
    // Counted out of the in-flight gauge once: not again on a second reset, nor after both
    // halves already ended (finish() took it out then).
    boolean finished = request.requestEnded && request.responseEnded;
    if (!request.reset && !finished) {
      request.method.active().decrement();
    }
    request.reset = true;
  }

  @Override
  public void responseEnd(Request request, HttpResponse httpResponse, long bytesWritten) {
    if (request == null) {
      return;
    }
    HttpRequestMeters.ResponseMeters response = meters.of(request.method,
        request.route == null ? "" : request.route, httpResponse.statusCode());
    response.requests().increment();
    response.time().record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
    response.bytes().record(bytesWritten);
    request.responseEnded = true;
    if (request.finish()) {
      request.method.active().decrement();
    }
  }

  @Override
  public Request responsePushed(Object socketMetric, HttpMethod method, String uri,
      HttpResponse response) {
    // HTTP/2 server push: the gateway never pushes; left unmetered.
    return null;
  }

  @Override
  public Object connected(Object socketMetric, Request request, ServerWebSocket webSocket) {
    // The delegate's websocket gauge reads only the socket metric's tags.
    return socketMetric == null ? null : connections.connected(socketMetric, null, webSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    if (webSocketMetric != null) {
      connections.disconnected(webSocketMetric);
    }
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return connections.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    if (socketMetric != null) {
      connections.disconnected(socketMetric, remoteAddress);
    }
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      connections.bytesRead(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      connections.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    if (socketMetric != null) {
      connections.exceptionOccurred(socketMetric, remoteAddress, t);
    }
  }

  @Override
  public void close() {
    connections.close();
  }
}
