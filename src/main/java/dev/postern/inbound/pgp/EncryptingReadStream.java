package dev.postern.inbound.pgp;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * The ciphertext of a plaintext stream, chunk for chunk (each source chunk gives one ciphertext
 * chunk, or none when the packet buffers absorb it). Contracts:
 * <ul>
 *   <li>Back-pressure: the source flows only while the reader has demand and nothing is queued;
 *       {@link #pause()}, {@link #resume()} and {@link #fetch(long)} reach the source through that
 *       rule. Chunks the source sends after being paused (at most what it had in flight) wait in
 *       a queue; the reader's {@code fetch(1)} gets exactly one ciphertext chunk.</li>
 *   <li>The source's end finishes the OpenPGP message; the last ciphertext is emitted, then the
 *       end. The source's exception (or a failure encrypting) is reported once to the exception
 *       handler, the queue is dropped, the end is never reported and the rest of the source is
 *       ignored.</li>
 * </ul>
 * Use on the source's context only; an end or failure that happens while no handler is set is
 * reported when one is set.
 */
final class EncryptingReadStream implements ReadStream<Buffer> {

  private final ReadStream<Buffer> source;
  private final OpenPgpStreamEncryptor encryptor;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean sourceFlowing;
  private boolean sourceEnded;
  private boolean endReported;
  private Throwable failure;
  private boolean failureReported;
  private boolean emitting;
  private boolean drainAgain;

  EncryptingReadStream(ReadStream<Buffer> source, OpenPgpStreamEncryptor encryptor) {
    this.source = source;
    this.encryptor = encryptor;
    source.pause();
    source.handler(this::onSourceChunk);
    source.endHandler(v -> onSourceEnd());
    source.exceptionHandler(this::fail);
  }

  @Override
  public EncryptingReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    drain();
    return this;
  }

  @Override
  public EncryptingReadStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    drain();
    return this;
  }

  @Override
  public EncryptingReadStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    reportFailure();
    return this;
  }

  @Override
  public EncryptingReadStream pause() {
    demand = 0;
    drain();
    return this;
  }

  @Override
  public EncryptingReadStream resume() {
    demand = Long.MAX_VALUE;
    drain();
    return this;
  }

  @Override
  public EncryptingReadStream fetch(long amount) {
    demand = amount >= Long.MAX_VALUE - demand ? Long.MAX_VALUE : demand + amount;
    drain();
    return this;
  }

  private void onSourceChunk(Buffer plaintext) {
    if (failure != null || sourceEnded) {
      return;
    }
    Buffer ciphertext;
    try {
      ciphertext = encryptor.update(plaintext);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    if (ciphertext.length() > 0) {
      queue.addLast(ciphertext);
    }
    drain();
  }

  private void onSourceEnd() {
    if (failure != null || sourceEnded) {
      return;
    }
    sourceEnded = true;
    try {
      Buffer last = encryptor.finish();
      if (last.length() > 0) {
        queue.addLast(last);
      }
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    drain();
  }

  private void fail(Throwable err) {
    if (failure != null || endReported) {
      return;
    }
    failure = err;
    queue.clear();
    // Ignore the rest; let a source that still has data run out rather than hold it paused.
    source.handler(chunk -> {});
    source.endHandler(v -> {});
    source.exceptionHandler(e -> {});
    if (!sourceEnded) {
      source.resume();
    }
    reportFailure();
  }

  private void reportFailure() {
    if (failure != null && !failureReported && exceptionHandler != null) {
      failureReported = true;
      exceptionHandler.handle(failure);
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
      } while (drainAgain);
    } finally {
      emitting = false;
    }
  }

  private void drainOnce() {
    if (failure != null) {
      return;
    }
    while (demand > 0 && handler != null && !queue.isEmpty() && failure == null) {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(queue.pollFirst());
    }
    if (failure != null) {
      return;
    }
    if (queue.isEmpty() && sourceEnded) {
      if (!endReported && endHandler != null && demand > 0) {
        endReported = true;
        endHandler.handle(null);
      }
      return;
    }
    boolean wantsMore = demand > 0 && handler != null && queue.isEmpty();
    if (wantsMore && !sourceFlowing) {
      sourceFlowing = true;
      source.resume();
    } else if (!wantsMore && sourceFlowing) {
      sourceFlowing = false;
      source.pause();
    }
  }
}
