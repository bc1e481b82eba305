package dev.postern.blob.s3;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Presents a Vert.x {@link ReadStream} as a blocking {@link InputStream} for minio, which reads
 * its upload parts from one. Chunks are queued as they arrive on the source's context; the
 * source is paused while {@link #HIGH_WATER} bytes wait and resumed once the reader (a worker
 * thread) has drained the queue below half of that. Pause and resume are only ever called on
 * the source's context, so they cannot race each other.
 *
 * <p>A source failure makes {@code read} throw; {@link #sourceFailure()} keeps it so the put can
 * report the sender's failure rather than a storage failure. A source silent for longer than
 * the idle timeout makes {@code read} throw too, so a stalled sender cannot hold a worker forever.
 */
final class ReadStreamInputStream extends InputStream {

  static final long HIGH_WATER = 1024 * 1024;
  private static final Object END = new Object();

  private final ReadStream<Buffer> source;
  private final Context context;
  private final Duration idleTimeout;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean flowCheckScheduled = new AtomicBoolean();
  private final AtomicLong bytesRead = new AtomicLong();
  private volatile Throwable sourceFailure;
  private volatile boolean closed;
  private boolean paused; // source's context only
  private Buffer current;
  private int position;
  private boolean ended;

  /** Call on the source's context: starts the flow of data into the queue. */
  ReadStreamInputStream(ReadStream<Buffer> source, Context context, Duration idleTimeout) {
    this.source = source;
    this.context = context;
    this.idleTimeout = idleTimeout;
    source.handler(this::onData);
    source.endHandler(v -> queue.add(END));
    source.exceptionHandler(err -> {
      sourceFailure = err;
      queue.add(err);
    });
  }

  long bytesRead() {
    return bytesRead.get();
  }

  Throwable sourceFailure() {
    return sourceFailure;
  }

  private void onData(Buffer chunk) {
    if (closed) {
      return;
    }
    queue.add(chunk);
    if (queuedBytes.addAndGet(chunk.length()) >= HIGH_WATER && !paused) {
      paused = true;
      source.pause();
    }
  }

  /** Reader side: after taking bytes out, let the source's context decide whether to resume. */
  private void afterTaking(int length) {
    if (queuedBytes.addAndGet(-length) <= HIGH_WATER / 2
        && flowCheckScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        flowCheckScheduled.set(false);
        if (paused && (closed || queuedBytes.get() <= HIGH_WATER / 2)) {
          paused = false;
          source.resume();
        }
      });
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] target, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int count = Math.min(length, current.length() - position);
    current.getBytes(position, position + count, target, offset);
    position += count;
    bytesRead.addAndGet(count);
    return count;
  }

  /** Makes {@code current} hold unread bytes; false at the end of the stream. */
  private boolean fill() throws IOException {
    while (current == null || position == current.length()) {
      if (ended) {
        return false;
      }
      if (closed) {
        throw new IOException("stream closed");
      }
      Object next;
      try {
        next = queue.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for upload data");
      }
      if (next == null) {
        throw new IOException("upload source sent nothing for " + idleTimeout);
      } else if (next == END) {
        ended = true;
      } else if (next instanceof Throwable failure) {
        queue.add(failure); // every later read fails the same way
        throw new IOException("upload source failed", failure);
      } else {
        current = (Buffer) next;
        position = 0;
        afterTaking(current.length());
      }
    }
    return true;
  }

  /** Stops taking data: what arrives later is dropped, and a paused source is let go. */
  @Override
  public void close() {
    closed = true;
    queue.clear();
    queuedBytes.set(0);
    afterTaking(0);
  }
}
