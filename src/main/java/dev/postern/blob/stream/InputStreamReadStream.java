package dev.postern.blob.stream;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * Pumps a blocking {@link InputStream} (a file, an S3 response body) into a Vert.x
 * {@link ReadStream}. Each chunk is read on the worker executor, and only while there is demand,
 * so a slow consumer holds back the reads instead of letting them pile up in memory. Handlers
 * run on the context the stream was created on; call its methods from that context.
 *
 * <p>The input is closed when the data ends, on a read failure, or when the handler is reset to
 * {@code null} after reading started (a {@code Pipe} does that when it stops early).
 */
public final class InputStreamReadStream implements ReadStream<Buffer> {

  private static final int CHUNK = 64 * 1024;

  private final InputStream input;
  private final WorkerExecutor executor;
  private final Context context;
  private final Function<Throwable, Throwable> failures;

  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean reading;
  private boolean started;
  private boolean finished;

  /**
   * @param failures turns a read failure into the exception handed to the exception handler
   *     (adapters map I/O errors to their own vocabulary)
   */
  public InputStreamReadStream(Vertx vertx, InputStream input, WorkerExecutor executor,
      Function<Throwable, Throwable> failures) {
    this.input = input;
    this.executor = executor;
    this.context = vertx.getOrCreateContext();
    this.failures = failures;
  }

  @Override
  public synchronized InputStreamReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler != null) {
      started = true;
      readIfWanted();
    } else if (started) {
      finish();
    }
    return this;
  }

  @Override
  public synchronized InputStreamReadStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public synchronized InputStreamReadStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public synchronized InputStreamReadStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public InputStreamReadStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public synchronized InputStreamReadStream fetch(long amount) {
    if (amount > 0) {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      readIfWanted();
    }
    return this;
  }

  private void readIfWanted() {
    if (reading || finished || handler == null || demand == 0) {
      return;
    }
    reading = true;
    context.runOnContext(v -> executor.executeBlocking(this::readChunk, false)
        .onComplete(this::deliver));
  }

  /** Runs on a worker: one blocking read, or null at end of input. */
  private Buffer readChunk() throws IOException {
    byte[] bytes = input.readNBytes(CHUNK);
    return bytes.length == 0 ? null : Buffer.buffer(bytes);
  }

  private void deliver(AsyncResult<Buffer> read) {
    Handler<Buffer> dataHandler;
    Handler<Void> onEnd = null;
    Handler<Throwable> onFailure = null;
    synchronized (this) {
      reading = false;
      if (finished) {
        closeInput();
        return;
      }
      dataHandler = handler;
      if (read.failed()) {
        onFailure = exceptionHandler;
        finish();
      } else if (read.result() == null) {
        onEnd = endHandler;
        finish();
      } else if (demand != Long.MAX_VALUE) {
        demand--;
      }
    }
    if (read.failed()) {
      if (onFailure != null) {
        onFailure.handle(failures.apply(read.cause()));
      }
    } else if (read.result() == null) {
      if (onEnd != null) {
        onEnd.handle(null);
      }
    } else {
      if (dataHandler != null) {
        dataHandler.handle(read.result());
      }
      synchronized (this) {
        readIfWanted();
      }
    }
  }

  /** Marks the stream done; the input is closed now, or once the read in flight returns. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (!reading) {
      closeInput();
    }
  }

  private void closeInput() {
    executor.executeBlocking(() -> {
      input.close();
      return null;
    }, false);
  }
}
