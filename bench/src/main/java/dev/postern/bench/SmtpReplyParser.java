package dev.postern.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a server's byte stream into SMTP replies (RFC 5321 §4.2): lines ending in CRLF, each
 * {@code code SP text} or, for all but the last line of a multi-line reply, {@code code - text}.
 * Bytes may arrive in any chunks; a reply is returned once its last line is complete. A line
 * that is not a reply line fails the parse: the bench must not count garbage as a 250.
 */
final class SmtpReplyParser {

  /** One complete reply: its three-digit code and the text of each line. */
  record Reply(int code, List<String> lines) {
    boolean positive() {
      return code >= 200 && code < 400;
    }

    @Override
    public String toString() {
      return code + " " + String.join(" / ", lines);
    }
  }

  private final StringBuilder pending = new StringBuilder();
  private final List<String> lines = new ArrayList<>();
  private int code = -1;

  /** Feeds received bytes; returns the replies they completed, in order (often none). */
  List<Reply> feed(byte[] bytes) {
    pending.append(new String(bytes, StandardCharsets.ISO_8859_1));
    List<Reply> complete = new ArrayList<>();
    int end;
    while ((end = pending.indexOf("\r\n")) >= 0) {
      String line = pending.substring(0, end);
      pending.delete(0, end + 2);
      Reply reply = line(line);
      if (reply != null) {
        complete.add(reply);
      }
    }
    return complete;
  }

  private Reply line(String line) {
    if (line.length() < 3 || !Character.isDigit(line.charAt(0))
        || !Character.isDigit(line.charAt(1)) || !Character.isDigit(line.charAt(2))
        || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
      throw new IllegalStateException("not an SMTP reply line: \"" + line + "\"");
    }
    int lineCode = Integer.parseInt(line.substring(0, 3));
    if (code >= 0 && lineCode != code) {
      throw new IllegalStateException("reply code changed within a multi-line reply: " + code
          + " then \"" + line + "\"");
    }
    code = lineCode;
    lines.add(line.length() > 4 ? line.substring(4) : "");
    if (line.length() > 3 && line.charAt(3) == '-') {
      return null;
    }
    var reply = new Reply(code, List.copyOf(lines));
    lines.clear();
    code = -1;
    return reply;
  }
}
