package dev.postern.send;

import java.util.List;

/**
 * Writes one header field, folded (RFC 5322 §2.2.3: CRLF inserted only before existing
 * whitespace) so lines stay ≤ {@value #PREFERRED} characters where the tokens allow and always
 * ≤ 998 (RFC 5322 §2.1.1; every token's length is bounded by the validators). Output is ASCII
 * and ends with CRLF; no token may contain CR or LF, so no caller input can start a new field.
 */
final class HeaderFolder {

  static final int PREFERRED = 78;
  static final String CRLF = "\r\n";

  private final StringBuilder out = new StringBuilder(96);
  private final int nameLength;
  private int lineStart;
  private boolean lineHasToken;

  HeaderFolder(String name) {
    out.append(name).append(':');
    this.nameLength = name.length();
  }

  /** Budget for a first token that should fit on the field-name line. */
  int firstBudget() {
    return PREFERRED - nameLength - 2;
  }

  /** Appends a token separated by one space, or by CRLF SP when the line would be too long. */
  HeaderFolder token(String token) {
    if (lineHasToken && out.length() - lineStart + 1 + token.length() > PREFERRED) {
      out.append(CRLF);
      lineStart = out.length();
    }
    out.append(' ').append(token);
    lineHasToken = true;
    return this;
  }

  HeaderFolder tokens(List<String> tokens) {
    tokens.forEach(this::token);
    return this;
  }

  /**
   * Appends {@code value} verbatim (printable ASCII and WSP), folding before a whitespace run
   * when the line gets long. Unfolding (deleting the inserted CRLFs) gives back the value.
   */
  HeaderFolder verbatim(String value) {
    if (value.isEmpty()) {
      return this;
    }
    out.append(' ');
    int i = 0;
    boolean first = true;
    while (i < value.length()) {
      int end = i;
      while (end < value.length() && isWsp(value.charAt(end))) {
        end++;
      }
      while (end < value.length() && !isWsp(value.charAt(end))) {
        end++;
      }
      boolean wspOnly = value.substring(i, end).isBlank();
      if (!first && !wspOnly && out.length() - lineStart + (end - i) > PREFERRED) {
        out.append(CRLF);
        lineStart = out.length();
      }
      out.append(value, i, end);
      first = false;
      i = end;
    }
    lineHasToken = true;
    return this;
  }

  String end() {
    return out.append(CRLF).toString();
  }

  static boolean isWsp(char c) {
    return c == ' ' || c == '\t';
  }
}
