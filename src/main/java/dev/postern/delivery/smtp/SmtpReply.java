package dev.postern.delivery.smtp;

import java.util.List;

/**
 * One reply from a relay (RFC 5321 §4.2): a three-digit code and its text lines, exactly as
 * received. {@link #toString()} is the wire form without CRLF, which is what we store.
 */
public record SmtpReply(int code, List<String> lines) {

  public SmtpReply {
    lines = List.copyOf(lines);
  }

  public static SmtpReply of(int code, String text) {
    return new SmtpReply(code, List.of(text));
  }

  public boolean positive() {
    return code >= 200 && code < 400;
  }

  public boolean transientFailure() {
    return code >= 400 && code < 500;
  }

  public boolean permanentFailure() {
    return code >= 500;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0) {
        out.append('\n');
      }
      out.append(code).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
    }
    return out.toString();
  }
}
