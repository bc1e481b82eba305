package dev.postern.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Finding the end of one line at a buffer's reader index, with SMTP's rules for line endings
 * (RFC 5321 §2.3.8: lines end with CRLF; a CR or LF alone is not a line ending). In normalize
 * mode a bare LF ends a line as CRLF would; a lone CR is refused in every mode.
 */
final class CrlfLines {

  /** Not enough bytes yet to know where (or whether) the line ends. */
  static final int NEED_MORE = -1;
  /** More than the allowed content octets precede any line ending. */
  static final int TOO_LONG = -2;
  static final int LONE_CR = -3;
  static final int BARE_LF = -4;
  /** The skipped line ended (its terminator consumed). */
  static final int ENDED = -5;

  private CrlfLines() {
  }

  /**
   * Looks at most {@code maxContent + 1} octets ahead and consumes nothing. Returns the content
   * length of a complete line (its terminator is at {@code readerIndex + length}, 2 octets if it
   * is a CR, else 1) or one of NEED_MORE, TOO_LONG, LONE_CR, BARE_LF.
   */
  static int scan(ByteBuf in, int maxContent, boolean normalize) {
    int start = in.readerIndex();
    int available = in.readableBytes();
    int window = Math.min(available, maxContent + 1);
    int end = in.forEachByte(start, window, ByteProcessor.FIND_CRLF);
    if (end < 0) {
      return available > maxContent ? TOO_LONG : NEED_MORE;
    }
    return lineEnding(in, end, normalize, end - start);
  }

  /** Octets of the terminator of a line whose content length {@link #scan} returned. */
  static int terminatorLength(ByteBuf in, int contentLength) {
    return in.getByte(in.readerIndex() + contentLength) == '\r' ? 2 : 1;
  }

  /**
   * Consumes the rest of a line being discarded, through its terminator when present (then
   * returns ENDED). A CR last in the buffer is kept until the next byte tells what it is. Returns
   * NEED_MORE when the line goes on, or LONE_CR / BARE_LF with the reader at the offending byte.
   */
  static int skipRestOfLine(ByteBuf in, boolean normalize) {
    int end = in.forEachByte(ByteProcessor.FIND_CRLF);
    if (end < 0) {
      in.skipBytes(in.readableBytes());
      return NEED_MORE;
    }
    in.readerIndex(end);
    int ending = lineEnding(in, end, normalize, 0);
    if (ending == 0) {
      in.skipBytes(terminatorLength(in, 0));
      return ENDED;
    }
    return ending;
  }

  /** {@code found} if the CR or LF at {@code at} ends a line, else why not. */
  private static int lineEnding(ByteBuf in, int at, boolean normalize, int found) {
    if (in.getByte(at) == '\n') {
      return normalize ? found : BARE_LF;
    }
    if (at + 1 >= in.writerIndex()) {
      return NEED_MORE;
    }
    return in.getByte(at + 1) == '\n' ? found : LONE_CR;
  }
}
