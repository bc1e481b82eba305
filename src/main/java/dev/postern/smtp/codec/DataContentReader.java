package dev.postern.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.smtp.DefaultSmtpContent;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * Reads the mail data after a 354 reply: removes dot-stuffing (RFC 5321 §4.5.2), finds the end
 * of data, and hands the content on in chunks of at most {@code maxChunk} octets, never holding
 * more than one chunk. CRLF line endings are content, including the one before the final ".".
 *
 * <p>Only CRLF "." CRLF ends the data (RFC 5321 §4.1.1.4), where the first CRLF is a real one
 * (or the data's start): in normalize mode a bare LF is read as CRLF <em>inside</em> the content,
 * but a "." line after a bare LF, or ended by one, is content, never the end. So no variant of
 * {@code \n.\n}, {@code \n.\r\n}, {@code \r\n.\n} can end a message early and start a second one
 * (SMTP smuggling); in reject mode they are BARE_LF, and {@code \r.\r\n} is LONE_CR in both.
 */
final class DataContentReader {

  enum Outcome { NEED_MORE, END_OF_DATA, BARE_LF, LONE_CR }

  private static final ByteBuf CRLF =
      Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'\r', '\n'}).asReadOnly());
  private static final ByteBuf DOT =
      Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'.'}).asReadOnly());

  private final int maxLineContent;
  private final int maxChunk;
  private final boolean normalize;

  private boolean lineStart;
  private boolean previousLineEndedWithCrlf;
  private int lineLength;
  private boolean discarding;
  private ByteBuf chunk;

  DataContentReader(int maxTextLine, int maxChunk, boolean normalize) {
    this.maxLineContent = maxTextLine - 2;
    this.maxChunk = maxChunk;
    this.normalize = normalize;
  }

  /** Starts a new message: the first byte begins a line, as if after a CRLF. */
  void begin() {
    lineStart = true;
    previousLineEndedWithCrlf = true;
    lineLength = 0;
    discarding = false;
  }

  /**
   * Consumes what can be decided of {@code in}, adding content chunks (and at most one
   * TEXT_LINE_TOO_LONG violation per message) to {@code out}. Up to two octets that may begin
   * the end of data (".", ".\r", "\r") stay unread until more arrive.
   */
  Outcome read(ByteBuf in, List<Object> out, ByteBufAllocator alloc) {
    try {
      return readLines(in, out, alloc);
    } finally {
      flush(out);
    }
  }

  private Outcome readLines(ByteBuf in, List<Object> out, ByteBufAllocator alloc) {
    while (in.isReadable()) {
      int at = in.readerIndex();
      byte first = in.getByte(at);
      if (lineStart && first == '.') {
        if (in.readableBytes() < 2) {
          return Outcome.NEED_MORE;
        }
        byte second = in.getByte(at + 1);
        if (second == '\r') {
          if (in.readableBytes() < 3) {
            return Outcome.NEED_MORE;
          }
          if (in.getByte(at + 2) != '\n') {
            in.skipBytes(1);
            return Outcome.LONE_CR;
          }
          if (previousLineEndedWithCrlf) {
            in.skipBytes(3);
            return Outcome.END_OF_DATA;
          }
          // A "." line after a bare LF (normalize mode): content, not the end.
          keepDot(in, out, alloc);
        } else if (second == '\n') {
          if (!normalize) {
            in.skipBytes(1);
            return Outcome.BARE_LF;
          }
          // ".\n" never ends the data: the "." is content.
          keepDot(in, out, alloc);
        } else {
          // RFC 5321 §4.5.2: a leading "." of a longer line is the sender's stuffing.
          in.skipBytes(1);
          lineStart = false;
          lineLength = 1;
        }
        continue;
      }
      if (first == '\r') {
        if (in.readableBytes() < 2) {
          return Outcome.NEED_MORE;
        }
        if (in.getByte(at + 1) != '\n') {
          return Outcome.LONE_CR;
        }
        in.skipBytes(2);
        write(CRLF, 0, 2, out, alloc);
        endLine(true);
        continue;
      }
      if (first == '\n') {
        if (!normalize) {
          return Outcome.BARE_LF;
        }
        in.skipBytes(1);
        write(CRLF, 0, 2, out, alloc);
        endLine(false);
        continue;
      }
      readRun(in, out, alloc);
    }
    return Outcome.NEED_MORE;
  }

  /** The octets up to the next CR or LF, checked against the text line limit. */
  private void readRun(ByteBuf in, List<Object> out, ByteBufAllocator alloc) {
    int at = in.readerIndex();
    int end = in.forEachByte(ByteProcessor.FIND_CRLF);
    int run = (end < 0 ? in.writerIndex() : end) - at;
    lineStart = false;
    if (!discarding && run > maxLineContent - lineLength) {
      // RFC 5321 §4.5.3.1.6: text line ≤ 1000 octets incl. CRLF. Refuse the message, once; keep
      // reading to its end so the session can answer after the data (§4.5.3.1.6 / 552).
      flush(out);
      out.add(new SmtpViolation(SmtpViolation.Kind.TEXT_LINE_TOO_LONG,
          "a line of the message is longer than " + (maxLineContent + 2) + " octets"));
      discarding = true;
    }
    write(in, at, run, out, alloc);
    lineLength = discarding ? 0 : lineLength + run;
    in.skipBytes(run);
  }

  private void keepDot(ByteBuf in, List<Object> out, ByteBufAllocator alloc) {
    in.skipBytes(1);
    write(DOT, 0, 1, out, alloc);
    lineStart = false;
    lineLength = 1;
  }

  private void endLine(boolean withCrlf) {
    lineStart = true;
    previousLineEndedWithCrlf = withCrlf;
    lineLength = 0;
  }

  private void write(ByteBuf src, int index, int length, List<Object> out,
      ByteBufAllocator alloc) {
    if (discarding) {
      return;
    }
    while (length > 0) {
      if (chunk == null) {
        chunk = alloc.buffer(Math.min(maxChunk, Math.max(length, 256)), maxChunk);
      }
      int n = Math.min(length, maxChunk - chunk.writerIndex());
      chunk.writeBytes(src, index, n);
      index += n;
      length -= n;
      if (chunk.writerIndex() == maxChunk) {
        flush(out);
      }
    }
  }

  private void flush(List<Object> out) {
    if (chunk != null) {
      ByteBuf full = chunk;
      chunk = null;
      out.add(new DefaultSmtpContent(full));
    }
  }
}
