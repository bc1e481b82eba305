package dev.postern.inbound.parse;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * Test fixture: a message made on the fly — a head, {@code count} generated pieces, a tail — so a
 * bomb of any size costs no memory to build, and {@link #consumed()} tells how far a parser read.
 */
final class GeneratedStream extends InputStream {

  private final byte[] head;
  private final IntFunction<String> piece;
  private final long count;
  private final byte[] tail;
  private byte[] current;
  private int position;
  private long next;
  private boolean tailServed;
  private long consumed;

  GeneratedStream(String head, long count, IntFunction<String> piece, String tail) {
    this.head = ascii(head);
    this.count = count;
    this.piece = piece;
    this.tail = ascii(tail);
    this.current = this.head;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  long consumed() {
    return consumed;
  }

  private boolean advance() {
    while (position >= current.length) {
      if (next < count) {
        current = ascii(piece.apply((int) next++));
      } else if (!tailServed) {
        tailServed = true;
        current = tail;
      } else {
        return false;
      }
      position = 0;
    }
    return true;
  }

  @Override
  public int read() {
    if (!advance()) {
      return -1;
    }
    consumed++;
    return current[position++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    consumed += n;
    return n;
  }
}
