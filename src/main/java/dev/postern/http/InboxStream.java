package dev.postern.http;

import dev.postern.inbound.inbox.MailChange;
import dev.postern.inbound.inbox.MailChangeFeed;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One client's Server-Sent Events stream (WHATWG HTML §9.2 "Server-sent events"): every event
 * carries {@code id:} = the mailbox's change sequence, so the client's {@code Last-Event-ID} on
 * reconnection names the last change it has. Lives on its connection's event loop.
 */
final class InboxStream implements MailChangeFeed.Subscriber, StreamRegistry.Stream {

  static final int RECONNECT_MILLIS = 1000;
  /** How long an ended stream's client has to take what was written before it is cut off. */
  static final long END_GRACE_MILLIS = 5_000;
  /** One identity, so {@link MailChange#encoded} shares the frame among all streams. */
  static final Function<MailChange, Buffer> FRAME = InboxStream::frame;

  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse response;
  private final HttpConnection connection;
  private final UUID keyId;
  private final Clock clock;
  private final AtomicBoolean ended = new AtomicBoolean();
  private MailChangeFeed.Subscription subscription;
  private long lastSeq;
  private long timer = -1;
  /**
   * Octets handed to the response that the socket has not yet taken (a write completes once
   * flushed to the kernel, or fails when the connection closes). Counted here rather than read
   * from {@code writeQueueFull()}: a slow client is judged, and bounded, by what waits for it.
   */
  private long unsent;
  private final StreamRegistry registry;
  private int bufferBytes;
  private Runnable onEnd = () -> { };

  InboxStream(Vertx vertx, HttpServerResponse response, HttpConnection connection, UUID keyId,
      Clock clock, StreamRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    this.context = vertx.getOrCreateContext();
    this.response = response;
    this.connection = connection;
    this.keyId = keyId;
    this.clock = clock;
  }

  @Override
  public UUID keyId() {
    return keyId;
  }

  /**
   * Sends the headers and {@code connected}, then heartbeats. The HTTP idle timeout is taken off
   * this connection: a stream is quiet by design, and the heartbeat (or a full write queue) is
   * what finds a dead client.
   */
  void open(String mailbox, long seq, long heartbeatMillis, int bufferBytes, Runnable everyHeartbeat,
      Runnable onEnd) {
    this.lastSeq = seq;
    this.onEnd = onEnd;
    this.bufferBytes = bufferBytes;
    removeIdleTimeout(connection);
    response.setWriteQueueMaxSize(bufferBytes);
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache, no-store")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("X-Content-Type-Options", "nosniff");
    response.closeHandler(v -> finish());
    response.exceptionHandler(e -> finish());
    if (response.closed()) {
      finish();
      return;
    }
    response.drainHandler(v -> {
      if (subscription != null) {
        subscription.resume();
      }
    });
    // retry: how long an EventSource waits before reconnecting (WHATWG HTML §9.2.6).
    response.write("retry: " + RECONNECT_MILLIS + "\n");
    event("connected", new JsonObject().put("mailbox", mailbox).put("last_event_id", seq));
    timer = vertx.setPeriodic(heartbeatMillis, id -> {
      if (unsent > bufferBytes) {
        // A client that has not taken what was sent one heartbeat ago is cut off, not buffered for.
        cutOff();
        return;
      }
      event("heartbeat", new JsonObject().put("time", InboxJson.time(clock.instant())));
      everyHeartbeat.run();
    });
  }

  void subscribed(MailChangeFeed.Subscription subscription) {
    this.subscription = subscription;
    if (ended.get()) {
      subscription.close();
    }
  }

  @Override
  public boolean ready() {
    return !ended.get() && unsent <= bufferBytes && !response.writeQueueFull();
  }

  /**
   * Writes changes until what waits unsent passes the bound: a slow client holds at most the
   * bound plus one event here, whatever the size of the feed's page; the feed offers the rest
   * again after {@link MailChangeFeed.Subscription#resume}.
   */
  @Override
  public int deliver(List<MailChange> changes) {
    int taken = 0;
    for (MailChange change : changes) {
      if (ended.get() || unsent > bufferBytes) {
        break;
      }
      lastSeq = change.seq();
      Buffer frame = change.encoded(FRAME);
      if (frame != null) {
        write(frame);
      }
      taken++;
    }
    return taken;
  }

  /**
   * A change's event, the same bytes for every stream of its mailbox (its {@code id:} is the
   * change's sequence): encoded once per change on this node ({@link MailChange#encoded}), not
   * once per stream. Null for a new message already gone again (nothing to announce).
   */
  static Buffer frame(MailChange change) {
    if (change.isNew()) {
      return change.message() == null ? null
          : frame(change.seq(), "new_email", InboxJson.summary(change.message()));
    }
    JsonObject data = change.message() != null ? InboxJson.summary(change.message())
        : new JsonObject().put("id", change.messageId().toString()).put("folder", change.folder());
    return frame(change.seq(), "email_updated",
        data.put("change", change.kind()).put("deleted", change.message() == null));
  }

  private static Buffer frame(long id, String name, JsonObject data) {
    return Buffer.buffer("id: " + id + "\nevent: " + name + "\ndata: " + data.encode() + "\n\n");
  }

  /**
   * Ends the stream and closes its connection (which has no idle timeout: {@link #open} took it
   * off) once the client has taken what was written; a client that does not read within
   * {@link #END_GRACE_MILLIS} is cut off instead, so a revoked key's stalled stream frees its
   * socket and buffer too.
   */
  @Override
  public void end() {
    context.runOnContext(v -> {
      boolean open = !response.ended() && !response.closed();
      finish();
      if (open) {
        response.end();
        long guard = vertx.setTimer(END_GRACE_MILLIS, id -> cutOff());
        connection.close().onComplete(closed -> vertx.cancelTimer(guard));
      }
    });
  }

  private void event(String name, JsonObject data) {
    write(frame(lastSeq, name, data));
  }

  private void write(Buffer bytes) {
    if (ended.get() || response.ended() || response.closed()) {
      return;
    }
    int size = bytes.length();
    unsent += size;
    registry.unsent(size);
    response.write(bytes).onComplete(done -> {
      boolean wasOver = unsent > bufferBytes;
      unsent -= size;
      registry.unsent(-size);
      if (wasOver && unsent <= bufferBytes && subscription != null && !ended.get()) {
        subscription.resume();
      }
    });
  }

  private void finish() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (subscription != null) {
      subscription.close();
    }
    onEnd.run();
  }

  /**
   * Closes the connection now, dropping what waits unsent. Vert.x's {@code close()}, and a close
   * through the channel's pipeline, first flush what was written (its handler closes after an
   * empty write completes), which a client that does not read never lets happen: the stream,
   * its slot and its buffer would stay for good. Closing from the Vert.x handler's own context
   * passes it by, as Vert.x's idle timeout does ({@code VertxConnection.handleIdle}).
   */
  private void cutOff() {
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
      base.channelHandlerContext().close();
    } else {
      connection.close();
    }
  }

  /** Vert.x has no per-connection idle timeout setting; its handler is taken off the pipeline. */
  private static void removeIdleTimeout(HttpConnection connection) {
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
      var pipeline = base.channel().pipeline();
      if (pipeline.get(IdleStateHandler.class) != null) {
        pipeline.remove(IdleStateHandler.class);
      }
    }
  }
}
