package dev.postern.delivery.smtp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the bytes a relay sends into {@link SmtpReply} values, however they are split across
 * reads (RFC 5321 §4.2: {@code code-text} continuation lines, {@code code text} on the last).
 * No I/O: {@link #feed} is driven by the connection and by tests alike.
 */
public final class ReplyParser {

  /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; we allow slack, not unbounded. */
  static final int MAX_LINE = 4096;
  private static final int MAX_LINES = 200;

  private final Consumer<SmtpReply> onReply;
  private Buffer partial = Buffer.buffer();
  private final List<String> lines = new ArrayList<>();
  private int code = -1;
  private int unreadInChunk;

  public ReplyParser(Consumer<SmtpReply> onReply) {
    this.onReply = onReply;
  }

  /** @throws SmtpProtocolException on a malformed or oversized reply */
  public void feed(Buffer chunk) {
    int start = 0;
    for (int i = 0; i < chunk.length(); i++) {
      if (chunk.getByte(i) == '\n') {
        partial.appendBuffer(chunk, start, i - start);
        start = i + 1;
        String raw = partial.toString(StandardCharsets.UTF_8);
        partial = Buffer.buffer();
        unreadInChunk = chunk.length() - start;
        line(raw);
      }
    }
    unreadInChunk = 0;
    partial.appendBuffer(chunk, start, chunk.length() - start);
    if (partial.length() > MAX_LINE) {
      throw new SmtpProtocolException("reply line longer than " + MAX_LINE + " octets");
    }
  }

  /**
   * Octets received but not yet part of a complete reply: during the reply callback, what follows
   * that reply in the chunk being parsed, plus any partial line held from earlier.
   */
  public int unconsumed() {
    return unreadInChunk + partial.length();
  }

  private void line(String raw) {
    String text = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    if (text.length() < 3 || !Character.isDigit(text.charAt(0)) || !Character.isDigit(text.charAt(1))
        || !Character.isDigit(text.charAt(2))
        || (text.length() > 3 && text.charAt(3) != ' ' && text.charAt(3) != '-')) {
      throw new SmtpProtocolException("malformed reply line: " + abbreviate(text));
    }
    int lineCode = Integer.parseInt(text.substring(0, 3));
    if (code >= 0 && lineCode != code) {
      throw new SmtpProtocolException("reply code changed within a multi-line reply");
    }
    code = lineCode;
    lines.add(text.length() > 4 ? text.substring(4) : "");
    if (lines.size() > MAX_LINES) {
      throw new SmtpProtocolException("reply has more than " + MAX_LINES + " lines");
    }
    boolean last = text.length() == 3 || text.charAt(3) == ' ';
    if (last) {
      SmtpReply reply = new SmtpReply(code, lines);
      code = -1;
      lines.clear();
      onReply.accept(reply);
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "…" : text;
  }
}
