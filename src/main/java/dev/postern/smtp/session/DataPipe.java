package dev.postern.smtp.session;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * The message data as the sink reads it: a {@link ReadStream} with real back-pressure between
 * the socket (the session {@link #write}s chunks) and the sink (which pauses, resumes, fetches).
 *
 * <p>Chunks the sink has not asked for are queued, at most about {@code highWaterBytes}:
 * {@link #write} answers false once the queue holds that much, and the glue pauses the socket
 * until the drain handler runs (the queue back under half of it). Chunks written before the sink
 * sets its handler are queued too (it may look something up first). The end is delivered after
 * the last chunk, while the stream is not paused; a failure ({@link #fail}: message too large,
 * connection closed) drops the queue and reaches the exception handler at once, never followed
 * by the end, so a sink that commits only on end commits nothing.
 *
 * <p>Not thread-safe: used on the session's context only, as Vert.x streams are.
 */
final class DataPipe implements ReadStream<Buffer> {

  private final int highWaterBytes;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long demand = Long.MAX_VALUE;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private Runnable drainHandler;
  private boolean ended;
  private boolean endDelivered;
  private Throwable failure;
  private boolean failureDelivered;
  private boolean emitting;

  DataPipe(int highWaterBytes) {
    this.highWaterBytes = highWaterBytes;
  }

  /** Adds a chunk; false when the queue is full and the writer should wait for the drain. */
  boolean write(Buffer chunk) {
    if (ended || failure != null) {
      return true;
    }
    queue.add(chunk);
    queuedBytes += chunk.length();
    emit();
    return !full();
  }

  /** No more chunks. */
  void end() {
    if (ended || failure != null) {
      return;
    }
    ended = true;
    emit();
  }

  /** Ends the stream with {@code cause}: queued chunks are dropped, the end never comes. */
  void fail(Throwable cause) {
    if (endDelivered || failure != null) {
      return;
    }
    failure = cause;
    queue.clear();
    queuedBytes = 0;
    deliverFailure();
    runDrain();
  }

  boolean full() {
    return queuedBytes >= highWaterBytes;
  }

  /** Runs {@code drain} once the queue is back under half the high-water mark (at once if it is). */
  void drainHandler(Runnable drain) {
    if (!full() || failure != null) {
      drain.run();
    } else {
      drainHandler = drain;
    }
  }

  long queuedBytes() {
    return queuedBytes;
  }

  @Override
  public DataPipe handler(Handler<Buffer> handler) {
    this.handler = handler;
    emit();
    return this;
  }

  @Override
  public DataPipe endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    emit();
    return this;
  }

  @Override
  public DataPipe exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    deliverFailure();
    return this;
  }

  @Override
  public DataPipe pause() {
    demand = 0;
    return this;
  }

  @Override
  public DataPipe resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public DataPipe fetch(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("negative fetch: " + amount);
    }
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    emit();
    return this;
  }

  /** Delivers queued chunks while there is demand, then the end; re-entrant calls return. */
  private void emit() {
    if (emitting) {
      return;
    }
    emitting = true;
    try {
      while (failure == null && handler != null && demand > 0 && !queue.isEmpty()) {
        Buffer chunk = queue.poll();
        queuedBytes -= chunk.length();
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(chunk);
      }
      if (failure == null && ended && queue.isEmpty() && demand > 0 && !endDelivered
          && endHandler != null) {
        endDelivered = true;
        endHandler.handle(null);
      }
    } finally {
      emitting = false;
    }
    if (queuedBytes <= highWaterBytes / 2) {
      runDrain();
    }
  }

  private void runDrain() {
    Runnable drain = drainHandler;
    if (drain != null) {
      drainHandler = null;
      drain.run();
    }
  }

  private void deliverFailure() {
    if (failure != null && !failureDelivered && exceptionHandler != null) {
      failureDelivered = true;
      exceptionHandler.handle(failure);
    }
  }
}
