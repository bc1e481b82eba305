package dev.postern.send;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * Reads a long JSON string value (an attachment's base64) segment by segment into its final
 * String. Jackson's {@code getText()} first joins its segments into one {@code char[]} of the
 * whole value — for a 200 KB attachment a 540 KB array, a humongous object for G1 with 1 MB
 * regions that set off concurrent marking over and over in send-attach (session 12 GC logs).
 * Here each segment is encoded straight into a Latin-1 byte array of the value's length (the
 * JDK's vectorised ISO-8859-1 encoder), and only a value with a char above U+00FF falls back to
 * a {@link StringBuilder}.
 */
final class LargeJsonString {

  /** Values at least this long (chars) are read this way; shorter ones by {@code getText()}. */
  static final int THRESHOLD = 16 * 1024;

  private LargeJsonString() {}

  /**
   * The current VALUE_STRING token's text.
   *
   * @param latin1 told whether every char is at most U+00FF (then it holds no surrogate)
   */
  static String read(JsonParser parser, boolean[] latin1) throws IOException {
    Collector collector = new Collector(parser.getTextLength());
    parser.getText(collector);
    latin1[0] = collector.wide == null;
    return collector.result();
  }

  private static final class Collector extends Writer {
    private final CharsetEncoder encoder = StandardCharsets.ISO_8859_1.newEncoder();
    private final ByteBuffer bytes;
    private StringBuilder wide;

    Collector(int length) {
      this.bytes = ByteBuffer.allocate(length);
    }

    @Override
    public void write(char[] chars, int offset, int length) {
      if (wide != null) {
        wide.append(chars, offset, length);
        return;
      }
      CharBuffer in = CharBuffer.wrap(chars, offset, length);
      CoderResult result = encoder.encode(in, bytes, false);
      if (result.isError() || result.isOverflow() || in.hasRemaining()) {
        // A char above U+00FF, a surrogate the encoder left for the next segment, or more text
        // than announced: the rest is kept as UTF-16.
        wide = new StringBuilder(bytes.capacity() + 16);
        wide.append(new String(bytes.array(), 0, bytes.position(), StandardCharsets.ISO_8859_1));
        wide.append(chars, in.position(), in.remaining());
      }
    }

    @Override
    public void write(String text, int offset, int length) {
      write(text.toCharArray(), offset, length);
    }

    @Override
    public void write(int c) {
      write(new char[] {(char) c}, 0, 1);
    }

    String result() {
      return wide != null ? wide.toString()
          : new String(bytes.array(), 0, bytes.position(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
