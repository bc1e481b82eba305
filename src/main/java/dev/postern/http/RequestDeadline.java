package dev.postern.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deadline on receiving a whole request (issue #15 item 1): a request whose last body byte has
 * not arrived {@code timeout} after it began gets {@code 408 request_timeout} (RFC 9110 §15.5.9)
 * and its connection is closed; when a response had already started, the connection is just
 * closed. A request received in full is no longer watched: its processing is never cut short, so
 * an accepted message is never answered 408.
 *
 * <p>One instance per verticle, used from its event loop only. One periodic sweep per second
 * replaces a timer per request; a request is watched at most one second past its deadline.
 */
final class RequestDeadline implements Handler<HttpServerRequest> {

  private static final long SWEEP_MILLIS = 1_000;

  private final Vertx vertx;
  private final long timeoutNanos;
  private final Handler<HttpServerRequest> next;
  /** Requests still being received, oldest first, with when they began. */
  private final LinkedHashMap<HttpServerRequest, Long> receiving = new LinkedHashMap<>();
  private long sweeper = -1;

  RequestDeadline(Vertx vertx, Duration timeout, Handler<HttpServerRequest> next) {
    this.vertx = vertx;
    this.timeoutNanos = timeout.toNanos();
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (!request.isEnded() && mayHaveBody(request)) {
      receiving.put(request, System.nanoTime());
      // Forgotten as soon as its last byte is in (end() is a future of its own: the body
      // handler's endHandler is untouched). Left to the sweep, every request — a GET too, whose
      // end is read just after this handler runs — was held up to a second: 20 000 requests
      // and their bodies live at once under load, promoted to the old generation and marked
      // there (a fifth of the machine's CPU in GC at ping, session 9).
      request.end().onComplete(ended -> receiving.remove(request));
      if (sweeper < 0) {
        sweeper = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
      }
    }
    next.handle(request);
  }

  /**
   * Whether anything of the request may still be on its way. An HTTP/1.x request without
   * {@code Content-Length} or {@code Transfer-Encoding} has no body (RFC 9112 §6.3): its headers,
   * already here, were all of it — most GETs, so they skip the watch list entirely. HTTP/2 and
   * HTTP/3 mark the end in the stream, so they are always watched.
   */
  private static boolean mayHaveBody(HttpServerRequest request) {
    HttpVersion version = request.version();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      return true;
    }
    MultiMap headers = request.headers();
    return headers.contains(HttpHeaders.CONTENT_LENGTH)
        || headers.contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** Requests still being watched (tests; call on this instance's event loop). */
  int watched() {
    return receiving.size();
  }

  void stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    receiving.clear();
  }

  private void sweep() {
    long now = System.nanoTime();
    Iterator<Map.Entry<HttpServerRequest, Long>> it = receiving.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<HttpServerRequest, Long> entry = it.next();
      HttpServerRequest request = entry.getKey();
      if (request.isEnded() || request.response().closed()) {
        it.remove();
      } else if (now - entry.getValue() >= timeoutNanos) {
        it.remove();
        expire(request);
      }
    }
  }

  private static void expire(HttpServerRequest request) {
    var response = request.response();
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    if (!response.headWritten() && !response.ended()) {
      if (!http2) {
        response.putHeader(HttpHeaders.CONNECTION, "close");
      }
      ErrorHandler.send(response, new ApiException(ApiError.REQUEST_TIMEOUT,
          "the request was not received in time"));
    } else if (http2) {
      response.reset();
    }
    if (!http2) {
      // The rest of the body must not be read as the next request (HTTP/1.x).
      request.connection().close();
    }
  }
}
