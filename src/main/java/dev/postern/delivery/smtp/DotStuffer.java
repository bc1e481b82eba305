package dev.postern.delivery.smtp;

import io.vertx.core.buffer.Buffer;

/**
 * Prepares message content for DATA, chunk by chunk, so a message is never held whole
 * (RFC 5321 §4.5.2): a '.' at the start of a line is doubled, a bare LF becomes CRLF, and
 * {@link #terminator()} ends the content with CRLF "." CRLF whatever the last chunk ended with.
 * Stateful across chunks; one instance per message.
 */
public final class DotStuffer {

  private boolean lineStart = true;
  private boolean lastCr;

  public Buffer stuff(Buffer chunk) {
    int length = chunk.length();
    Buffer out = Buffer.buffer(length + 16);
    int runStart = 0;
    for (int i = 0; i < length; i++) {
      byte b = chunk.getByte(i);
      if (lineStart && b == '.') {
        out.appendBuffer(chunk, runStart, i - runStart).appendByte((byte) '.');
        runStart = i;
      }
      if (b == '\n' && !lastCr) {
        out.appendBuffer(chunk, runStart, i - runStart).appendByte((byte) '\r');
        runStart = i;
      }
      lineStart = b == '\n';
      lastCr = b == '\r';
    }
    out.appendBuffer(chunk, runStart, length - runStart);
    return out;
  }

  /** The end-of-data sequence, with a CRLF first unless the content already ended a line. */
  public Buffer terminator() {
    if (lastCr) {
      return Buffer.buffer("\n.\r\n");
    }
    return Buffer.buffer(lineStart ? ".\r\n" : "\r\n.\r\n");
  }
}
