package dev.postern.send;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.util.function.IntUnaryOperator;

/**
 * What an SMTP session hands the core for DATA: a stream of the message's octets, in chunks of
 * chosen sizes, one chunk per event-loop turn like a socket, honouring pause/resume/fetch.
 * Optionally breaks off with an exception after {@code failAfter} octets (a client gone). Also
 * records whether it was read to the end, so a test can tell that a refused transaction's data
 * was drained rather than left hanging. Use on one context.
 */
final class DataSource implements ReadStream<Buffer> {

  private final Context context;
  private final byte[] bytes;
  private final IntUnaryOperator chunkSize;
  private final long failAfter;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private int position;
  private int chunks;
  private boolean scheduled;
  private volatile boolean finished;

  private DataSource(Context context, byte[] bytes, IntUnaryOperator chunkSize, long failAfter) {
    this.context = context;
    this.bytes = bytes;
    this.chunkSize = chunkSize;
    this.failAfter = failAfter;
  }

  /** {@code chunkSize} maps the chunk's index to its size (at least 1). */
  static DataSource of(Context context, byte[] bytes, IntUnaryOperator chunkSize) {
    return new DataSource(context, bytes, chunkSize, -1);
  }

  static DataSource failingAfter(Context context, byte[] bytes, int chunk, long failAfter) {
    return new DataSource(context, bytes, i -> chunk, failAfter);
  }

  /** Whether every octet was emitted and the end (or the failure) was signalled. */
  boolean finished() {
    return finished;
  }

  @Override
  public DataSource handler(Handler<Buffer> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public DataSource exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public DataSource endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public DataSource pause() {
    demand = 0;
    return this;
  }

  @Override
  public DataSource resume() {
    demand = Long.MAX_VALUE;
    schedule();
    return this;
  }

  @Override
  public DataSource fetch(long amount) {
    demand = amount >= Long.MAX_VALUE - demand ? Long.MAX_VALUE : demand + amount;
    schedule();
    return this;
  }

  private void schedule() {
    if (!scheduled && !finished) {
      scheduled = true;
      context.runOnContext(v -> {
        scheduled = false;
        emit();
      });
    }
  }

  private void emit() {
    if (finished || demand == 0 || handler == null) {
      return;
    }
    if (failAfter >= 0 && position >= failAfter) {
      finished = true;
      if (exceptionHandler != null) {
        exceptionHandler.handle(new IOException("client went away"));
      }
      return;
    }
    if (position == bytes.length) {
      finished = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    int size = Math.max(1, chunkSize.applyAsInt(chunks++));
    int end = (int) Math.min(bytes.length, position + (long) size);
    if (failAfter >= 0) {
      end = (int) Math.min(end, Math.max(failAfter, position + 1));
    }
    Buffer chunk = Buffer.buffer().appendBytes(bytes, position, end - position);
    position = end;
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    handler.handle(chunk);
    schedule();
  }
}
