package dev.postern.send;

import java.io.IOException;
import java.io.OutputStream;

/** A buffered, counting byte sink for the composer; ASCII text is written without a copy. */
final class MimeOutput {

  private final OutputStream out;
  private final byte[] buffer = new byte[16 * 1024];
  private int used;
  private long written;

  MimeOutput(OutputStream out) {
    this.out = out;
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

  void crlf() throws IOException {
    write('\r');
    write('\n');
  }

  long written() {
    return written;
  }

  void flush() throws IOException {
    flushBuffer();
    out.flush();
  }

  private void flushBuffer() throws IOException {
    out.write(buffer, 0, used);
    used = 0;
  }
}
