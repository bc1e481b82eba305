package dev.postern.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

/**
 * HTTP server metrics that tolerate a connection with no socket metric.
 *
 * <p>Vert.x 5.0.10's {@code NetServerImpl.bind} starts accepting as soon as the socket is bound but
 * creates the server's metrics only in the bind listener that runs afterwards. A connection
 * accepted in between gets no socket metric, and its first request then calls
 * {@code requestBegin(null, …)}: vertx-micrometer-metrics throws a NullPointerException
 * ("socketMetric is null") inside Vert.x's request dispatch and the request is never answered.
 * A client retrying while a gateway restarts hits exactly that window. This wrapper leaves such
 * connections unmetered (every other call passes through), so their requests are served.
 */
final class GuardedHttpServerMetrics<R, W, S> implements HttpServerMetrics<R, W, S> {

  private final HttpServerMetrics<R, W, S> delegate;

  GuardedHttpServerMetrics(HttpServerMetrics<R, W, S> delegate) {
    this.delegate = delegate;
  }

  @Override
  public R requestBegin(S socketMetric, HttpRequest request) {
    return socketMetric == null ? null : delegate.requestBegin(socketMetric, request);
  }

  @Override
  public void requestEnd(R requestMetric, HttpRequest request, long bytesRead) {
    if (requestMetric != null) {
      delegate.requestEnd(requestMetric, request, bytesRead);
    }
  }

  @Override
  public void requestReset(R requestMetric) {
    if (requestMetric != null) {
      delegate.requestReset(requestMetric);
    }
  }

  @Override
  public void responseBegin(R requestMetric, HttpResponse response) {
    if (requestMetric != null) {
      delegate.responseBegin(requestMetric, response);
    }
  }

  @Override
  public R responsePushed(S socketMetric, HttpMethod method, String uri, HttpResponse response) {
    return socketMetric == null ? null : delegate.responsePushed(socketMetric, method, uri, response);
  }

  @Override
  public void responseEnd(R requestMetric, HttpResponse response, long bytesWritten) {
    if (requestMetric != null) {
      delegate.responseEnd(requestMetric, response, bytesWritten);
    }
  }

  @Override
  public W connected(S socketMetric, R requestMetric, ServerWebSocket serverWebSocket) {
    return socketMetric == null || requestMetric == null ? null
        : delegate.connected(socketMetric, requestMetric, serverWebSocket);
  }

  @Override
  public void disconnected(W serverWebSocketMetric) {
    if (serverWebSocketMetric != null) {
      delegate.disconnected(serverWebSocketMetric);
    }
  }

  @Override
  public void requestRouted(R requestMetric, String route) {
    if (requestMetric != null) {
      delegate.requestRouted(requestMetric, route);
    }
  }

  @Override
  public S connected(SocketAddress remoteAddress, String remoteName) {
    return delegate.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(S socketMetric, SocketAddress remoteAddress) {
    if (socketMetric != null) {
      delegate.disconnected(socketMetric, remoteAddress);
    }
  }

  @Override
  public void bytesRead(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      delegate.bytesRead(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void bytesWritten(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (socketMetric != null) {
      delegate.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void exceptionOccurred(S socketMetric, SocketAddress remoteAddress, Throwable t) {
    if (socketMetric != null) {
      delegate.exceptionOccurred(socketMetric, remoteAddress, t);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
