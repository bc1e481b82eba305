package dev.postern.blob;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A source of {@code size} pseudo-random bytes made chunk by chunk as demanded (so a 40 MB test
 * never holds 40 MB), hashing what it emits. Optionally breaks off with an exception after
 * {@code failAfter} bytes, like a client that disconnects mid-upload. Create and use it on one
 * context.
 */
public final class GeneratedStream implements ReadStream<Buffer> {

  private static final int CHUNK = 65_521; // prime, so chunks never line up with parts

  private final Context context;
  private final long size;
  private final long failAfter;
  private final MessageDigest sha256;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private long emitted;
  private boolean scheduled;
  private boolean done;

  private GeneratedStream(Vertx vertx, long size, long failAfter) {
    this.context = vertx.getOrCreateContext();
    this.size = size;
    this.failAfter = failAfter;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static GeneratedStream of(Vertx vertx, long size) {
    return new GeneratedStream(vertx, size, -1);
  }

  public static GeneratedStream failingAfter(Vertx vertx, long failAfter) {
    return new GeneratedStream(vertx, Long.MAX_VALUE, failAfter);
  }

  /** SHA-256 of everything emitted so far, in hex. */
  public String sha256() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public GeneratedStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public GeneratedStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public GeneratedStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public GeneratedStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public GeneratedStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public GeneratedStream fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    schedule();
    return this;
  }

  private void schedule() {
    if (!scheduled && !done) {
      scheduled = true;
      context.runOnContext(v -> emitNext());
    }
  }

  private void emitNext() {
    scheduled = false;
    if (done || handler == null || demand == 0) {
      return;
    }
    if (failAfter >= 0 && emitted >= failAfter) {
      done = true;
      if (exceptionHandler != null) {
        exceptionHandler.handle(new IOException("source broke off after " + emitted + " bytes"));
      }
      return;
    }
    if (emitted >= size) {
      done = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    long limit = failAfter >= 0 ? failAfter : size;
    int length = (int) Math.min(CHUNK, limit - emitted);
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      long position = emitted + i;
      bytes[i] = (byte) (position * 2654435761L >>> 13);
    }
    sha256.update(bytes);
    emitted += length;
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    handler.handle(Buffer.buffer(bytes));
    schedule();
  }
}
