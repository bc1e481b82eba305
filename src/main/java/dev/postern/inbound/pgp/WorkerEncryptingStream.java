package dev.postern.inbound.pgp;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * The ciphertext of a plaintext stream, with the encryption run on a worker pool rather than the
 * source's event loop (AES-CFB costs 1.5–3 ms per 64 KiB on this JDK: see
 * {@link OpenPgpStreamEncryptor}). Plaintext that arrives while a chunk is being encrypted is
 * gathered and encrypted next, one job at a time, so the output is in order and the (not
 * thread-safe) encryptor is used by one thread at a time, each job handed over through the
 * context (happens-before). Contracts, as {@link EncryptingReadStream}'s:
 * <ul>
 *   <li>Back-pressure: the source flows only while the reader has demand, little ciphertext is
 *       waiting, and less than {@value #MAX_PENDING} plaintext octets are gathered.</li>
 *   <li>The source's end finishes the OpenPGP message (also on the worker); the last ciphertext
 *       is emitted, then the end. The source's exception, or a failure encrypting, is reported
 *       once; queued ciphertext is dropped and the rest of the source is read into nothing.</li>
 * </ul>
 * Use on the source's context only.
 */
final class WorkerEncryptingStream implements ReadStream<Buffer> {

  /** Plaintext gathered before the source is paused: one partial-body chunk. */
  static final int MAX_PENDING = OpenPgpStreamEncryptor.PARTIAL_CHUNK;

  private final ReadStream<Buffer> source;
  private final OpenPgpStreamEncryptor encryptor;
  private final WorkerExecutor cpu;
  private final ArrayDeque<Buffer> ready = new ArrayDeque<>();
  private Buffer pending;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean sourceFlowing;
  private boolean sourceEnded;
  private boolean working;
  private boolean finished;
  private boolean endReported;
  private Throwable failure;
  private boolean failureReported;
  private boolean emitting;
  private boolean drainAgain;

  /** @param head plaintext encrypted before the source's (a trace field), may be empty */
  WorkerEncryptingStream(ReadStream<Buffer> source, OpenPgpStreamEncryptor encryptor,
      WorkerExecutor cpu, Buffer head) {
    this.source = source;
    this.encryptor = encryptor;
    this.cpu = cpu;
    this.pending = Buffer.buffer().appendBuffer(head);
    source.pause();
    source.handler(this::onSourceChunk);
    source.endHandler(v -> {
      if (failure == null) {
        sourceEnded = true;
        work();
        drain();
      }
    });
    source.exceptionHandler(this::fail);
    work();
  }

  @Override
  public WorkerEncryptingStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    drain();
    return this;
  }

  @Override
  public WorkerEncryptingStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    drain();
    return this;
  }

  @Override
  public WorkerEncryptingStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    reportFailure();
    return this;
  }

  @Override
  public WorkerEncryptingStream pause() {
    demand = 0;
    drain();
    return this;
  }

  @Override
  public WorkerEncryptingStream resume() {
    demand = Long.MAX_VALUE;
    drain();
    return this;
  }

  @Override
  public WorkerEncryptingStream fetch(long amount) {
    demand = amount >= Long.MAX_VALUE - demand ? Long.MAX_VALUE : demand + amount;
    drain();
    return this;
  }

  private void onSourceChunk(Buffer plaintext) {
    if (failure != null || sourceEnded) {
      return;
    }
    pending.appendBuffer(plaintext);
    work();
    drain();
  }

  /** Starts the next job if none runs: the gathered plaintext, else the end of the message. */
  private void work() {
    if (working || failure != null || finished) {
      return;
    }
    Future<Buffer> job;
    if (pending.length() > 0) {
      Buffer plaintext = pending;
      pending = Buffer.buffer();
      job = cpu.executeBlocking(() -> encryptor.update(plaintext), false);
    } else if (sourceEnded) {
      finished = true;
      job = cpu.executeBlocking(encryptor::finish, false);
    } else {
      return;
    }
    working = true;
    job.onComplete(done -> {
      working = false;
      if (done.failed()) {
        fail(done.cause());
        return;
      }
      if (done.result().length() > 0) {
        ready.addLast(done.result());
      }
      work();
      drain();
    });
  }

  private void fail(Throwable err) {
    if (failure != null || endReported) {
      return;
    }
    failure = err;
    ready.clear();
    pending = Buffer.buffer();
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

  private void drain() {
    if (emitting) {
      drainAgain = true;
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
    while (demand > 0 && handler != null && !ready.isEmpty() && failure == null) {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(ready.pollFirst());
    }
    if (failure != null) {
      return;
    }
    if (finished && !working && ready.isEmpty()) {
      if (!endReported && endHandler != null && demand > 0) {
        endReported = true;
        endHandler.handle(null);
      }
      return;
    }
    if (sourceEnded) {
      return;
    }
    boolean wantsMore = demand > 0 && handler != null && ready.size() < 2
        && pending.length() < MAX_PENDING;
    if (wantsMore && !sourceFlowing) {
      sourceFlowing = true;
      source.resume();
    } else if (!wantsMore && sourceFlowing) {
      sourceFlowing = false;
      source.pause();
    }
  }
}
