package dev.postern.smtp.codec;

import java.util.Objects;

/**
 * One line the client sent after a 334 challenge (RFC 4954 §4: an AUTH continuation, or "*" to
 * cancel), without its CRLF. It usually carries credentials, so {@link #toString()} hides it.
 */
public record SmtpTextLine(String line) {

  public SmtpTextLine {
    Objects.requireNonNull(line, "line");
  }

  @Override
  public String toString() {
    return "SmtpTextLine[" + line.length() + " chars]";
  }
}
