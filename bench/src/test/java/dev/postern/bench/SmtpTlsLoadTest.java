package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SmtpTlsLoadTest {

  @Test
  void payloadIsSmtpSourcesShapeOfExactlyTheLength() {
    String text = new String(SmtpTlsLoad.payload(2048), StandardCharsets.US_ASCII);

    assertThat(text).hasSize(2048).endsWith("\r\n");
    for (String line : text.split("\r\n")) {
      assertThat(line).hasSizeBetween(1, 78).doesNotStartWith(".").doesNotContain("\r", "\n");
    }
  }

  @Test
  void onlyLoopbackIsLoaded() {
    assertThatThrownBy(() -> new SmtpTlsLoad("192.0.2.1", 465, "postern", "pk_x",
        "a@bench.test", "b@bench.test", 1, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-loopback");
  }

  /**
   * A server that never greets: the session fails after the reply timeout, naming what the
   * connection had received (nothing), instead of waiting for the server's idle 421 (inbox-fanout
   * run 2 hung five minutes and then reported only "421 4.4.2 Idle timeout").
   */
  @Test
  void aMissingReplyFailsTheSessionWithWhatTheConnectionHeard() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      NetServer silent = vertx.createNetServer().connectHandler(socket -> { })
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      AtomicReference<Context> loop = new AtomicReference<>();
      // Held, and closed at the end: Vert.x 5's createNetClient() returns a client that closes
      // itself and its connections once unreachable, so a GC mid-test read "connection closed"
      // (a fresh-clone CI run, session 22).
      NetClient client = vertx.createNetClient();
      var conversation = client.connect(silent.actualPort(), "127.0.0.1")
          .map(socket -> conversationOnItsLoop(vertx, socket, 300, loop))
          .await(10, TimeUnit.SECONDS);
      long start = System.nanoTime();
      assertThatThrownBy(() -> on(loop.get(), () -> conversation.reply(220)).await(30, TimeUnit.SECONDS))
          .hasMessageContaining("expected 220, no reply within 300 ms")
          .hasMessageContaining("0 bytes received, replies: none");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(20_000);
      client.close().await(10, TimeUnit.SECONDS); // a use after the checks keeps it reachable
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWrongReplyNamesTheRepliesHeardBeforeIt() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      NetServer server = vertx.createNetServer().connectHandler(socket ->
              socket.write("220 hello\r\n421 4.4.2 Idle timeout; closing connection\r\n"))
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      // The conversation (its data handler) is made in the connect's callback, on the event loop,
      // as SmtpTlsLoad does: a NetSocket drops data that arrives before its handler is set, and
      // this server writes at once (made after an await on the test thread, the 220 was lost).
      // Its replies are asked for on that loop too: asked for from the test thread, a reply could
      // arrive between the check for one already heard and the wait for the next, and be lost.
      AtomicReference<Context> loop = new AtomicReference<>();
      NetClient client = vertx.createNetClient(); // held: see above
      var conversation = client.connect(server.actualPort(), "127.0.0.1")
          .map(socket -> conversationOnItsLoop(vertx, socket, 10_000, loop))
          .await(10, TimeUnit.SECONDS);
      on(loop.get(), () -> conversation.reply(220)).await(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> on(loop.get(), () -> conversation.reply(250)).await(10, TimeUnit.SECONDS))
          .hasMessageContaining("expected 250, got 421")
          .hasMessageContaining("replies: 220 at");
      client.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static SmtpTlsLoad.Conversation conversationOnItsLoop(Vertx vertx, NetSocket socket,
      long replyTimeoutMillis, AtomicReference<Context> loop) {
    loop.set(Vertx.currentContext());
    return new SmtpTlsLoad.Conversation(vertx, socket, replyTimeoutMillis);
  }

  /** Calls {@code call} on the conversation's event loop, as SmtpTlsLoad does. */
  private static <T> Future<T> on(Context loop, Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    loop.runOnContext(v -> call.get().onComplete(result));
    return result.future();
  }
}
