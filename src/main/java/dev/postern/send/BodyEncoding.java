package dev.postern.send;

import java.io.IOException;

/**
 * Content-Transfer-Encoding of text parts. Line breaks (CRLF, lone CR, lone LF) all become CRLF:
 * text/* bodies are in canonical form (RFC 2046 §4.1.1), and no bare LF ever reaches the wire.
 * 7bit is used for short-lined printable ASCII (RFC 2045 §2.7); everything else is
 * quoted-printable (RFC 2045 §6.7) with lines ≤ 76 characters.
 */
enum BodyEncoding {
  SEVEN_BIT("7bit"),
  QUOTED_PRINTABLE("quoted-printable");

  /** Prefer RFC 5322 §2.1.1's 78; 7bit allows 998, QP always stays ≤ 76. */
  private static final int SEVEN_BIT_LINE = 78;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  final String header;

  BodyEncoding(String header) {
    this.header = header;
  }

  /**
   * 7bit when every line is printable ASCII (or TAB), ≤ 78 chars, without trailing whitespace,
   * and the text contains no {@code =_}: multipart boundaries start with {@code =_}, which
   * quoted-printable and base64 output never contain, so no body line can equal a delimiter.
   */
  static BodyEncoding choose(String text) {
    int column = 0;
    char previous = '\n';
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        if (previous == ' ' || previous == '\t') {
          return QUOTED_PRINTABLE;
        }
        column = 0;
      } else if ((c < 0x20 && c != '\t') || c > 0x7e || ++column > SEVEN_BIT_LINE
          || (c == '_' && previous == '=')) {
        return QUOTED_PRINTABLE;
      }
      previous = c;
    }
    return previous == ' ' || previous == '\t' ? QUOTED_PRINTABLE : SEVEN_BIT;
  }

  /** Writes {@code text} in this encoding; returns whether it ended with a line break. */
  boolean write(String text, MimeOutput out) throws IOException {
    return this == SEVEN_BIT ? writeSevenBit(text, out) : writeQuotedPrintable(text, out);
  }

  private static boolean writeSevenBit(String text, MimeOutput out) throws IOException {
    boolean endsWithBreak = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      endsWithBreak = c == '\r' || c == '\n';
      if (c == '\r') {
        out.crlf();
        if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
      } else if (c == '\n') {
        out.crlf();
      } else {
        out.write(c);
      }
    }
    return endsWithBreak;
  }

  private static boolean writeQuotedPrintable(String text, MimeOutput out) throws IOException {
    int column = 0;
    boolean endsWithBreak = false;
    byte[] octets = new byte[4];
    for (int i = 0; i < text.length(); ) {
      if (column > 0) {
        // Mid-line, a run that is written as it is goes in one copy, up to the column where the
        // next octet would need a soft line break (the per-octet path below, ~16 % of the
        // gateway's CPU on send-small's 2 KB text before this).
        int end = literalRun(text, i, Math.min(text.length(), i + 75 - column));
        if (end > i) {
          out.ascii(text, i, end);
          column += end - i;
          endsWithBreak = false;
          i = end;
          continue;
        }
      }
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (cp == '\r' || cp == '\n') {
        out.crlf();
        column = 0;
        endsWithBreak = true;
        i = cp == '\r' && next < text.length() && text.charAt(next) == '\n' ? next + 1 : next;
        continue;
      }
      endsWithBreak = false;
      boolean lineEnd = next == text.length()
          || text.charAt(next) == '\r' || text.charAt(next) == '\n';
      int n = utf8(cp, octets);
      for (int k = 0; k < n; k++) {
        int b = octets[k] & 0xff;
        boolean whitespace = b == ' ' || b == '\t';
        // RFC 2045 §6.7 rules 2-3: printable ASCII but '=' is literal; whitespace too, unless it
        // ends a line (transports strip trailing whitespace).
        boolean literal = (b >= 33 && b <= 126 && b != '=') || (whitespace && !lineEnd);
        // RFC 2045 §6.7 rule 5: lines ≤ 76 chars, the soft line break's '=' included.
        if (column + (literal ? 1 : 3) > 75) {
          out.write('=');
          out.crlf();
          column = 0;
        }
        // Never start a line with "." (SMTP) or "From " (mbox): encode that first octet.
        if (column == 0 && (b == '.' || (b == 'F' && text.startsWith("From ", i)))) {
          literal = false;
        }
        if (literal) {
          out.write(b);
          column++;
        } else {
          out.write('=');
          out.write(HEX[b >> 4]);
          out.write(HEX[b & 0xf]);
          column += 3;
        }
      }
      i = next;
    }
    return endsWithBreak;
  }

  /**
   * Where the run from {@code from} (before {@code limit}) of chars quoted-printable writes as
   * they are ends: printable ASCII but {@code =}, and spaces or tabs that do not end a line
   * (RFC 2045 §6.7 rules 2-3, as in {@link #writeQuotedPrintable}'s per-octet path).
   */
  private static int literalRun(String text, int from, int limit) {
    int i = from;
    while (i < limit) {
      char c = text.charAt(i);
      if (c >= 33 && c <= 126 && c != '=') {
        i++;
      } else if ((c == ' ' || c == '\t') && i + 1 < text.length()
          && text.charAt(i + 1) != '\r' && text.charAt(i + 1) != '\n') {
        i++;
      } else {
        break;
      }
    }
    return i;
  }

  /** UTF-8 octets of one code point (the validators have refused unpaired surrogates). */
  private static int utf8(int cp, byte[] into) {
    if (cp < 0x80) {
      into[0] = (byte) cp;
      return 1;
    } else if (cp < 0x800) {
      into[0] = (byte) (0xC0 | cp >> 6);
      into[1] = (byte) (0x80 | cp & 0x3F);
      return 2;
    } else if (cp < 0x10000) {
      into[0] = (byte) (0xE0 | cp >> 12);
      into[1] = (byte) (0x80 | cp >> 6 & 0x3F);
      into[2] = (byte) (0x80 | cp & 0x3F);
      return 3;
    }
    into[0] = (byte) (0xF0 | cp >> 18);
    into[1] = (byte) (0x80 | cp >> 12 & 0x3F);
    into[2] = (byte) (0x80 | cp >> 6 & 0x3F);
    into[3] = (byte) (0x80 | cp & 0x3F);
    return 4;
  }
}
