package dev.postern.send;

import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A DATA stream as the core consumes it, handed from one reader to the next (the header-block
 * reader, the in-memory collector, the blob store's streaming put) without losing or repeating a
 * byte. It owns the source from construction on:
 * <ul>
 *   <li>Back-pressure: the source is resumed only while a handler wants data; chunks the source
 *       sends anyway (at most what it had in flight) wait in a queue.</li>
 *   <li>Size cap: once more than {@code maxBytes} have been received the stream fails with
 *       {@link Reason#TOO_LARGE} (RFC 1870 counts the message as transmitted).</li>
 *   <li>After a failure (the cap, the source's own exception) or {@link #discard()}, the rest of
 *       the source is read and dropped, so a caller that keeps pushing data leaks nothing.</li>
 *   <li>{@link #unshift} gives bytes back to the front; a {@link #tap} sees every chunk that comes
 *       from the source exactly once, when it is emitted (pushed-back bytes say whether to tap).</li>
 * </ul>
 * Use on the source's context only. A failure or end that happens while no handler for it is set
 * is kept and reported when one is set.
 */
final class ReceivedMessageStream implements ReadStream<Buffer> {

  private record Chunk(Buffer bytes, boolean tapped) {}

  private final ReadStream<Buffer> source;
  private final long maxBytes;
  private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private Consumer<Buffer> tap;
  private long demand = Long.MAX_VALUE;
  private long received;
  private boolean sourceFlowing;
  private boolean sourceEnded;
  private Throwable failure;
  private boolean failureReported;
  private boolean discarding;
  private boolean emitting;
  private boolean drainAgain;

  ReceivedMessageStream(ReadStream<Buffer> source, long maxBytes) {
    this.source = source;
    this.maxBytes = maxBytes;
    source.pause();
    source.handler(this::onSourceChunk);
    source.endHandler(v -> onSourceEnd());
    source.exceptionHandler(this::fail);
  }

  /** Bytes received from the source so far. */
  long received() {
    return received;
  }

  /** The failure that ended this stream, if any. */
  Throwable failure() {
    return failure;
  }

  /** Called with each source chunk as it is emitted (before the handler sees it). */
  void tap(Consumer<Buffer> tap) {
    this.tap = tap;
  }

  /** Puts bytes back at the front, to be emitted next; {@code tapped}: whether the tap sees them. */
  void unshift(Buffer bytes, boolean tapped) {
    if (!discarding && bytes.length() > 0) {
      queue.addFirst(new Chunk(bytes, tapped));
    }
  }

  /** Stops taking part: what is queued is dropped and the rest of the source is read and dropped. */
  void discard() {
    if (discarding) {
      return;
    }
    discarding = true;
    queue.clear();
    handler = null;
    endHandler = null;
    exceptionHandler = null;
    source.handler(chunk -> {});
    source.exceptionHandler(err -> {});
    source.endHandler(v -> {});
    if (!sourceEnded) {
      source.resume();
    }
  }

  @Override
  public ReceivedMessageStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    drain();
    return this;
  }

  @Override
  public ReceivedMessageStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    drain();
    return this;
  }

  @Override
  public ReceivedMessageStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    reportFailure();
    return this;
  }

  @Override
  public ReceivedMessageStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReceivedMessageStream resume() {
    demand = Long.MAX_VALUE;
    drain();
    return this;
  }

  @Override
  public ReceivedMessageStream fetch(long amount) {
    demand = amount >= Long.MAX_VALUE - demand ? Long.MAX_VALUE : demand + amount;
    drain();
    return this;
  }

  private void onSourceChunk(Buffer chunk) {
    if (discarding) {
      return;
    }
    received += chunk.length();
    if (received > maxBytes) {
      fail(Refusal.of(Reason.TOO_LARGE, "the message is over the limit of " + maxBytes + " bytes"));
      return;
    }
    queue.addLast(new Chunk(chunk, true));
    drain();
  }

  private void onSourceEnd() {
    sourceEnded = true;
    drain();
  }

  private void fail(Throwable err) {
    if (failure != null || discarding) {
      return;
    }
    failure = err;
    Handler<Throwable> report = exceptionHandler;
    discard();
    exceptionHandler = report;
    reportFailure();
  }

  private void reportFailure() {
    if (failure != null && !failureReported && exceptionHandler != null) {
      failureReported = true;
      Handler<Throwable> report = exceptionHandler;
      exceptionHandler = null;
      report.handle(failure);
    }
  }

  /** Emits what is queued while there is demand; then ends, or lets the source flow or stop. */
  private void drain() {
    if (emitting) {
      drainAgain = true; // a handler changed demand or handlers: look again once it returns
      return;
    }
    emitting = true;
    try {
      do {
        drainAgain = false;
        drainOnce();
      } while (drainAgain && !discarding);
    } finally {
      emitting = false;
    }
  }

  private void drainOnce() {
    if (discarding) {
      return;
    }
    while (demand > 0 && handler != null && !queue.isEmpty() && !discarding) {
      Chunk next = queue.pollFirst();
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      if (next.tapped() && tap != null) {
        tap.accept(next.bytes());
      }
      handler.handle(next.bytes());
    }
    if (discarding) {
      return;
    }
    boolean wantsMore = demand > 0 && handler != null && queue.isEmpty();
    if (queue.isEmpty() && sourceEnded) {
      if (endHandler != null && demand > 0) {
        // Once per handler: a reader that takes over after the end still sees it.
        Handler<Void> report = endHandler;
        endHandler = null;
        report.handle(null);
      }
    } else if (wantsMore && !sourceFlowing) {
      sourceFlowing = true;
      source.resume();
    } else if (!wantsMore && sourceFlowing) {
      sourceFlowing = false;
      source.pause();
    }
  }
}
