package dev.postern.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failed attempt); the whole
 * attempt, from connect to the end of the response, has one deadline; the response body is
 * read and discarded (never stored, never logged). The result is always a succeeded future: a
 * transport failure is an {@link WebhookDeliveries.Attempt} with an error and no code.
 *
 * <p>The URL's host is resolved and checked by {@link WebhookTargets} inside that deadline, and
 * the connection goes to the checked address while the Host header and TLS (SNI, certificate
 * check) keep the URL's name (issue #15 item 8); a refused address is the attempt's error.
 */
final class WebhookSender {

  private static final int MAX_ERROR_CHARS = 500;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final long timeoutMillis;
  private final WorkerExecutor lookups;
  private final WebhookTargets targets;

  WebhookSender(Vertx vertx, WebhookSettings settings) {
    this(vertx, settings, WebhookTargets.SYSTEM);
  }

  /** @param resolver the name lookup (tests pass a fixed table) */
  WebhookSender(Vertx vertx, WebhookSettings settings, WebhookTargets.Resolver resolver) {
    this.vertx = vertx;
    this.timeoutMillis = settings.requestTimeout().toMillis();
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(Math.max(1, settings.concurrency())));
    // Name lookups block (system resolver): a small pool of their own, off the event loop.
    this.lookups = vertx.createSharedWorkerExecutor("postern-webhook-dns",
        Math.max(1, Math.min(8, settings.concurrency())));
    this.targets = new WebhookTargets(lookups, resolver, settings.allowPrivateTargets());
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
    if (options.getHost() == null || options.getHost().isEmpty()) {
      // InetAddress.getAllByName(null or "") answers the loopback: never look such a host up.
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
    targets.resolve(options.getHost())
        .compose(address -> {
          // Connect to the checked address; the Host header, the TLS peer name (hence SNI)
          // and the certificate check stay the URL's name (Vert.x: authority vs. server).
          options.setServer(SocketAddress.inetSocketAddress(options.getPort(),
              address.getHostAddress()));
          return client.request(options);
        })
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
    if (e instanceof WebhookTargets.Refused) {
      return e.getMessage();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    message = message.replaceAll("[\\r\\n]+", " ");
    return message.length() <= MAX_ERROR_CHARS ? message : message.substring(0, MAX_ERROR_CHARS);
  }

  Future<Void> close() {
    return client.close().eventually(lookups::close);
  }
}
