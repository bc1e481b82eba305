package dev.postern.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failed attempt); the whole
 * attempt, from connect to the end of the response, has one deadline; the response body is
 * read and discarded (never stored, never logged). The result is always a succeeded future: a
 * transport failure is an {@link WebhookDeliveries.Attempt} with an error and no code.
 */
final class WebhookSender {

  private static final int MAX_ERROR_CHARS = 500;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final long timeoutMillis;

  WebhookSender(Vertx vertx, WebhookSettings settings) {
    this.vertx = vertx;
    this.timeoutMillis = settings.requestTimeout().toMillis();
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(Math.max(1, settings.concurrency())));
  }

  Future<WebhookDeliveries.Attempt> post(String url, Buffer body, Map<String, String> headers) {
    long started = System.nanoTime();
    Promise<Integer> outcome = Promise.promise();
    RequestOptions options;
    try {
      options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
          .setFollowRedirects(false).setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis);
    } catch (RuntimeException e) {
      return Future.succeededFuture(new WebhookDeliveries.Attempt(null, "invalid URL", 0));
    }
    options.putHeader("content-type", "application/json");
    options.putHeader("user-agent", "Postern-Webhooks/1");
    headers.forEach(options::putHeader);
    HttpClientRequest[] request = new HttpClientRequest[1];
    long timer = vertx.setTimer(timeoutMillis, t -> {
      TimeoutException timeout = new TimeoutException("no complete response within "
          + timeoutMillis + " ms");
      if (outcome.tryFail(timeout) && request[0] != null) {
        request[0].reset(0, timeout);
      }
    });
    client.request(options)
        .compose(req -> {
          request[0] = req;
          return req.send(body);
        })
        .compose(response -> response.end().map(v -> response.statusCode()))
        .onComplete(result -> {
          if (result.succeeded()) {
            outcome.tryComplete(result.result());
          } else {
            outcome.tryFail(result.cause());
          }
        });
    return outcome.future()
        .transform(result -> {
          vertx.cancelTimer(timer);
          long millis = (System.nanoTime() - started) / 1_000_000;
          return Future.succeededFuture(result.succeeded()
              ? new WebhookDeliveries.Attempt(result.result(),
                  statusIsSuccess(result.result()) ? null : "HTTP " + result.result(), millis)
              : new WebhookDeliveries.Attempt(null, describe(result.cause()), millis));
        });
  }

  private static boolean statusIsSuccess(int status) {
    return status >= 200 && status < 300;
  }

  /** One line naming the failure, bounded; never includes request headers or body. */
  static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    message = message.replaceAll("[\\r\\n]+", " ");
    return message.length() <= MAX_ERROR_CHARS ? message : message.substring(0, MAX_ERROR_CHARS);
  }

  Future<Void> close() {
    return client.close();
  }
}
