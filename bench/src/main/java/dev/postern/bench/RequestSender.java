package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/**
 * Sends one {@link RequestTemplate} and reports when it left and how it ended. The body is
 * read to the end so the keep-alive connection is reusable, then dropped.
 */
final class RequestSender {

  /** How a request ended: an HTTP status, and when the pool handed it a connection. */
  record Exchange(int status, long sentNanos) {}

  private final HttpClient client;
  private final RequestTemplate template;
  private final RequestOptions options;
  private int next; // the rotation's next target: one sender per event loop, so no race

  RequestSender(HttpClient client, RequestTemplate template, Duration timeout) {
    this.client = client;
    this.template = template;
    // The connect timeout also bounds the wait for a pooled connection (Vert.x 5), so a
    // request stuck behind a stalled server fails as "timeout" instead of waiting forever.
    this.options = new RequestOptions()
        .setMethod(template.method())
        .setHost(template.host())
        .setPort(template.port())
        .setURI(template.uri())
        .setHeaders(template.headers())
        .setConnectTimeout(timeout.toMillis())
        .setIdleTimeout(timeout.toMillis());
  }

  Future<Exchange> send() {
    var rotation = template.rotation();
    if (rotation.isEmpty()) {
      return client.request(options).compose(this::write);
    }
    String target = rotation.get(next);
    next = (next + 1) % rotation.size();
    return client.request(new RequestOptions(options).setURI(target)).compose(this::write);
  }

  private Future<Exchange> write(HttpClientRequest request) {
    long sent = System.nanoTime();
    var response = template.hasBody() ? request.send(template.body()) : request.send();
    return response.compose(r -> r.body().map(ignored -> new Exchange(r.statusCode(), sent)));
  }
}
