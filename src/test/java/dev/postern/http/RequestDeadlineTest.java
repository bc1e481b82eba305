package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request is watched only while it is being received: once its last byte is in, the deadline
 * lets go of it at once, not at the next sweep (which held every request — a GET too — and its
 * body for up to a second: tens of thousands of live requests under load, session 9).
 */
class RequestDeadlineTest {

  // Every client call starts on the server's event loop (onLoopFuture), never on the test's
  // thread. Started there, the response's events reach body() on another thread's turn, and in
  // Vert.x 5.0.10 body() can then miss an end that came first: the future never completes
  // (eclipse-vertx/vert.x#6038, fixed after the 5.0.10 we pin). It hung this class on a fresh
  // clone's CI (session 21); a loop of this test's calls from the test thread hung within a few
  // hundred rounds, and never in 18 000 rounds started on the loop.

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aReceivedRequestIsNoLongerWatched() throws Exception {
    Context loop = vertx.getOrCreateContext();
    RequestDeadline deadline = onLoop(loop, () -> new RequestDeadline(vertx, Duration.ofHours(1),
        request -> request.body().onSuccess(body -> request.response().end("got " + body.length()))));
    HttpServer server = onLoopFuture(loop, () -> vertx.createHttpServer().requestHandler(deadline)
        .listen(0, "127.0.0.1"));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(4));
    List<Future<String>> answers = new ArrayList<>();
    onLoopFuture(loop, () -> {
      for (int i = 0; i < 40; i++) {
        answers.add(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/ping")
            .compose(req -> req.send()).compose(resp -> resp.body()).map(Buffer::toString));
      }
      for (int i = 0; i < 10; i++) {
        answers.add(post(client, server.actualPort(), "/send").map(Buffer::toString));
      }
      return Future.all(answers);
    });
    assertThat(answers.get(0).result()).isEqualTo("got 0");
    assertThat(answers.get(49).result()).isEqualTo("got 60000");
    // Well within the one-second sweep: what is still watched now was never let go.
    assertThat(onLoop(loop, deadline::watched)).isZero();
    client.close().await();
    onLoop(loop, () -> {
      deadline.stop();
      return null;
    });
  }

  @Test
  void aRequestWithoutABodyIsNeverWatchedOneWithABodyIsUntilItsEnd() throws Exception {
    Context loop = vertx.getOrCreateContext();
    java.util.concurrent.atomic.AtomicReference<RequestDeadline> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.Map<String, Integer> watchedWhenHandled = new java.util.concurrent.ConcurrentHashMap<>();
    RequestDeadline deadline = onLoop(loop, () -> new RequestDeadline(vertx, Duration.ofHours(1),
        request -> {
          watchedWhenHandled.put(request.path(), self.get().watched());
          request.body().onSuccess(body -> request.response().end("got " + body.length()));
        }));
    self.set(deadline);
    HttpServer server = onLoopFuture(loop, () -> vertx.createHttpServer().requestHandler(deadline)
        .listen(0, "127.0.0.1"));
    HttpClient client = vertx.createHttpClient();
    onLoopFuture(loop, () -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/get")
        .compose(req -> req.send()).compose(resp -> resp.body()));
    onLoopFuture(loop, () -> post(client, server.actualPort(), "/post"));
    assertThat(watchedWhenHandled).containsEntry("/get", 0).containsEntry("/post", 1);
    assertThat(onLoop(loop, deadline::watched)).isZero();
    client.close().await();
    onLoop(loop, () -> {
      deadline.stop();
      return null;
    });
  }

  /** A body in two writes, so the request is still being received when it is handled. */
  private static Future<Buffer> post(HttpClient client, int port, String path) {
    return client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setPort(port).setHost("127.0.0.1").setURI(path))
        .compose(req -> {
          req.setChunked(true);
          req.write(Buffer.buffer(new byte[30_000]));
          return req.end(Buffer.buffer(new byte[30_000])).compose(v -> req.response());
        })
        .compose(resp -> resp.body());
  }

  private static <T> T onLoop(Context loop, Callable<T> action) throws Exception {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> {
      try {
        done.complete(action.call());
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future().await();
  }

  private static <T> T onLoopFuture(Context loop, Callable<Future<T>> action) throws Exception {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> {
      try {
        action.call().onComplete(done);
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future().await();
  }
}
