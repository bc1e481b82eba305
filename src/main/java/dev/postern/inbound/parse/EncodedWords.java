package dev.postern.inbound.parse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes RFC 2047 encoded words ({@code =?charset?B|Q?text?=}) in a header value, leniently:
 * words are recognised anywhere (also inside quoted strings and next to other text, which §5
 * forbids and the wild does), the white space between two adjacent words is dropped (§6.2),
 * adjacent words in the same charset are joined before decoding so a multi-byte character split
 * across two words (a common encoder bug) comes out whole, an RFC 2231 §5 language suffix
 * ({@code utf-8*en}) is ignored, a B word with stray characters or missing padding is decoded as
 * far as it goes, and a word in an unknown charset is read as UTF-8 or windows-1252. Text that is
 * not an encoded word is kept as it is.
 */
final class EncodedWords {

  // The text of a word has no '?' and no white space (§2); the whole word is at most 75 chars, but
  // longer ones are common, so the length is not checked.
  private static final Pattern WORD =
      Pattern.compile("=\\?([^?\\s]{1,80})\\?([BbQq])\\?([^?\\s]*)\\?=");

  private EncodedWords() {}

  static String decode(String value) {
    if (value == null || value.indexOf("=?") < 0) {
      return value;
    }
    Matcher m = WORD.matcher(value);
    StringBuilder out = new StringBuilder(value.length());
    int last = 0;
    String pendingCharset = null;
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    while (m.find()) {
      String between = value.substring(last, m.start());
      boolean adjacent = pendingCharset != null && between.isBlank();
      String charset = stripLanguage(m.group(1));
      if (!adjacent || !charset.equalsIgnoreCase(pendingCharset)) {
        flush(out, pending, pendingCharset);
        pendingCharset = null;
        if (!adjacent) {
          out.append(between);
        }
      }
      byte[] octets = m.group(2).equalsIgnoreCase("B") ? decodeB(m.group(3)) : decodeQ(m.group(3));
      pending.writeBytes(octets);
      pendingCharset = charset;
      last = m.end();
    }
    flush(out, pending, pendingCharset);
    out.append(value, last, value.length());
    return out.toString();
  }

  private static void flush(StringBuilder out, ByteArrayOutputStream pending, String charset) {
    if (charset == null) {
      return;
    }
    byte[] octets = pending.toByteArray();
    pending.reset();
    Optional<Charset> cs = TextDecoding.charset(charset);
    out.append(cs.isPresent()
        ? new String(octets, cs.get())
        : TextDecoding.decodeUnlabelled(octets, octets.length));
  }

  private static String stripLanguage(String charset) {
    int star = charset.indexOf('*');
    return (star < 0 ? charset : charset.substring(0, star)).toLowerCase(Locale.ROOT);
  }

  /** Base64 (RFC 2047 §4.1), ignoring characters outside the alphabet and missing padding. */
  static byte[] decodeB(String text) {
    StringBuilder clean = new StringBuilder(text.length() + 3);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/') {
        clean.append(c);
      }
    }
    if (clean.length() % 4 == 1) {
      clean.setLength(clean.length() - 1); // a lone sextet carries no whole octet
    }
    while (clean.length() % 4 != 0) {
      clean.append('=');
    }
    return Base64.getDecoder().decode(clean.toString());
  }

  /** The "Q" encoding (RFC 2047 §4.2): '_' is a space, =XX an octet; a broken escape is kept. */
  static byte[] decodeQ(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '_') {
        out.write(' ');
      } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0
          && hex(text.charAt(i + 2)) >= 0) {
        out.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  /** The value of an ASCII hex digit, -1 for anything else (Character.digit accepts non-ASCII). */
  static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }
}
