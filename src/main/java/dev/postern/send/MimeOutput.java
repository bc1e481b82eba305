package dev.postern.send;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A buffered, counting byte sink for the composer; ASCII text is written without a copy. Either
 * streams into an {@link OutputStream} through a 16 KB buffer, or ({@link #inMemory}) keeps the
 * whole message in one array that grows as needed, so composed text is copied once, straight to
 * where it stays.
 */
final class MimeOutput {

  private final OutputStream out;
  private byte[] buffer;
  private int used;
  private long written;

  MimeOutput(OutputStream out) {
    this.out = out;
    this.buffer = new byte[16 * 1024];
  }

  private MimeOutput(int capacity) {
    this.out = null;
    this.buffer = new byte[Math.max(64, capacity)];
  }

  /** Keeps everything written; {@link #contents()} then wraps it without a copy. */
  static MimeOutput inMemory(int capacity) {
    return new MimeOutput(capacity);
  }

  /** What an {@link #inMemory} output holds, as a Buffer over the same array. */
  Buffer contents() {
    if (out != null) {
      throw new IllegalStateException("a streaming output keeps nothing");
    }
    // Unreleasable like Vert.x's own heap buffers: a Buffer may be written more than once.
    return BufferInternal.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(buffer, 0, used)));
  }

  void write(int b) throws IOException {
    if (used == buffer.length) {
      flushBuffer();
    }
    buffer[used++] = (byte) b;
    written++;
  }

  /** Writes ASCII text; callers guarantee every char is ≤ 0x7F. */
  void ascii(CharSequence text) throws IOException {
    ascii(text, 0, text.length());
  }

  void ascii(CharSequence text, int from, int to) throws IOException {
    if (text instanceof String string) {
      asciiString(string, from, to);
      return;
    }
    for (int i = from; i < to; i++) {
      write(text.charAt(i));
    }
  }

  /**
   * A String's chars copied in bulk: a char at a time through {@code CharSequence.charAt} (a
   * call the JIT cannot inline once it has seen several CharSequence types) was 37 % of the
   * gateway's CPU for a 200 KB attachment (send-attach profile, session 8).
   */
  @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps each char's low byte: ASCII here
  private void asciiString(String text, int from, int to) throws IOException {
    while (from < to) {
      if (used == buffer.length) {
        flushBuffer();
      }
      int n = Math.min(to - from, buffer.length - used);
      text.getBytes(from, from + n, buffer, used);
      used += n;
      written += n;
      from += n;
    }
  }

  /** Writes octets as they are; callers guarantee they are what the message may hold there. */
  void octets(byte[] source, int from, int length) throws IOException {
    while (length > 0) {
      if (used == buffer.length) {
        flushBuffer();
      }
      int n = Math.min(length, buffer.length - used);
      System.arraycopy(source, from, buffer, used, n);
      used += n;
      written += n;
      from += n;
      length -= n;
    }
  }

  void crlf() throws IOException {
    write('\r');
    write('\n');
  }

  long written() {
    return written;
  }

  void flush() throws IOException {
    if (out == null) {
      return;
    }
    flushBuffer();
    out.flush();
  }

  private void flushBuffer() throws IOException {
    if (out == null) {
      // In memory: grow instead (the estimate was short), by half again, as ArrayList does.
      buffer = Arrays.copyOf(buffer, buffer.length + Math.max(64, buffer.length >> 1));
      return;
    }
    out.write(buffer, 0, used);
    used = 0;
  }
}
