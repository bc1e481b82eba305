package dev.postern.inbound.accept;

import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One DATA stream read by several writers at once (the MX's plaintext raw and its OpenPGP raw of
 * the same message): every {@link #branch()} sees every chunk, in order. Contracts:
 * <ul>
 *   <li>Back-pressure: the source flows only while every branch wants data and has nothing
 *       queued, so the slowest writer paces the sender; chunks the source sends after a pause
 *       (what it had in flight) wait in the branches' queues.</li>
 *   <li>Size cap: over {@code maxBytes} received, every branch fails with
 *       {@link Reason#TOO_LARGE} (RFC 1870 counts the message as transmitted).</li>
 *   <li>{@link #fail} (a writer failed, so the message is refused) and the cap report the failure
 *       to every branch once, drop what is queued and read the rest of the source into nothing,
 *       so its producer may go on writing until its end.</li>
 *   <li>The tap sees each source chunk once, as it arrives (the header block, the digest of the
 *       received octets).</li>
 * </ul>
 * Create the branches, then {@link #start()}. Use on the source's context only.
 */
final class DataTee {

  private final ReadStream<Buffer> source;
  private final long maxBytes;
  private final Consumer<Buffer> tap;
  private final List<Branch> branches = new ArrayList<>();
  private long received;
  private boolean started;
  private boolean sourceFlowing;
  private boolean sourceEnded;
  private Throwable failure;
  private boolean emitting;
  private boolean drainAgain;

  DataTee(ReadStream<Buffer> source, long maxBytes, Consumer<Buffer> tap) {
    this.source = source;
    this.maxBytes = maxBytes;
    this.tap = tap;
    source.pause();
  }

  /** A reader of the whole stream; create them all before {@link #start()}. */
  ReadStream<Buffer> branch() {
    Branch branch = new Branch();
    branches.add(branch);
    return branch;
  }

  void start() {
    source.handler(this::onSourceChunk);
    source.endHandler(v -> {
      sourceEnded = true;
      drain();
    });
    source.exceptionHandler(this::fail);
    started = true;
    drain();
  }

  /** Fails every branch with {@code cause} (once) and drops the rest of the source. */
  void fail(Throwable cause) {
    if (failure != null) {
      return;
    }
    failure = cause;
    source.handler(chunk -> {});
    source.endHandler(v -> {});
    source.exceptionHandler(e -> {});
    if (!sourceEnded) {
      source.resume();
    }
    for (Branch branch : branches) {
      branch.queue.clear();
      branch.reportFailure();
    }
  }

  private void onSourceChunk(Buffer chunk) {
    if (failure != null) {
      return;
    }
    received += chunk.length();
    if (received > maxBytes) {
      fail(Refusal.of(Reason.TOO_LARGE, "the message is over the limit of " + maxBytes + " bytes"));
      return;
    }
    tap.accept(chunk);
    for (Branch branch : branches) {
      branch.queue.addLast(chunk);
    }
    drain();
  }

  /** Emits what each branch may take; then ends them, or lets the source flow or stop. */
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
      } while (drainAgain && failure == null);
    } finally {
      emitting = false;
    }
  }

  private void drainOnce() {
    if (failure != null || !started) {
      return;
    }
    boolean allWantMore = true;
    for (Branch branch : branches) {
      branch.emit();
      if (failure != null) {
        return;
      }
      allWantMore &= branch.wantsMore();
    }
    if (sourceEnded) {
      return;
    }
    if (allWantMore && !sourceFlowing) {
      sourceFlowing = true;
      source.resume();
    } else if (!allWantMore && sourceFlowing) {
      sourceFlowing = false;
      source.pause();
    }
  }

  /** One reader's view: its own demand, queue and handlers. */
  private final class Branch implements ReadStream<Buffer> {
    final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    Handler<Buffer> handler;
    Handler<Void> endHandler;
    Handler<Throwable> exceptionHandler;
    long demand = Long.MAX_VALUE;
    boolean endReported;
    boolean failureReported;

    void emit() {
      while (demand > 0 && handler != null && !queue.isEmpty() && failure == null) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(queue.pollFirst());
      }
      if (failure == null && queue.isEmpty() && sourceEnded && !endReported
          && endHandler != null && demand > 0) {
        endReported = true;
        endHandler.handle(null);
      }
    }

    boolean wantsMore() {
      return demand > 0 && handler != null && queue.isEmpty();
    }

    void reportFailure() {
      if (failure != null && !failureReported && !endReported && exceptionHandler != null) {
        failureReported = true;
        exceptionHandler.handle(failure);
      }
    }

    @Override
    public Branch handler(Handler<Buffer> handler) {
      this.handler = handler;
      drain();
      return this;
    }

    @Override
    public Branch endHandler(Handler<Void> endHandler) {
      this.endHandler = endHandler;
      drain();
      return this;
    }

    @Override
    public Branch exceptionHandler(Handler<Throwable> handler) {
      this.exceptionHandler = handler;
      reportFailure();
      return this;
    }

    @Override
    public Branch pause() {
      demand = 0;
      drain();
      return this;
    }

    @Override
    public Branch resume() {
      demand = Long.MAX_VALUE;
      drain();
      return this;
    }

    @Override
    public Branch fetch(long amount) {
      demand = amount >= Long.MAX_VALUE - demand ? Long.MAX_VALUE : demand + amount;
      drain();
      return this;
    }
  }
}
