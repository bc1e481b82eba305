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
    for (int i = from; i < to; i++) {
      write(text.charAt(i));
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
