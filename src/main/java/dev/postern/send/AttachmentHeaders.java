package dev.postern.send;

import dev.postern.mail.EmailAddress;
import dev.postern.send.SendRequest.Attachment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Content-Type and Content-Disposition of an attachment part. Short printable-ASCII names are a
 * quoted {@code filename="…"}; others get RFC 2231 §4 {@code filename*=UTF-8''…} (split into
 * §3 continuations so lines stay short) after an ASCII {@code filename="…"} fallback for
 * software that ignores RFC 2231.
 */
final class AttachmentHeaders {

  private static final int MAX_PLAIN = 60;
  // " filename*0*=UTF-8''" + segment + ";" stays within 78 columns.
  private static final int SEGMENT = 56;
  /** RFC 2231 §7 attribute-chars we leave as is; '+' is escaped since URL decoders read a space. */
  private static final String ATTR_CHARS = "!#$&-.^_`|~";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private AttachmentHeaders() {}

  /** The validated type (its own name parameters already dropped) and the file's name. */
  static String contentType(Attachment a) {
    return new HeaderFolder("Content-Type").token(a.contentType() + ";")
        .token("name=" + quoted(fallback(a.filename()))).end();
  }

  static String contentDisposition(Attachment a) {
    HeaderFolder field = new HeaderFolder("Content-Disposition").token("attachment;");
    String name = a.filename();
    if (isPlain(name)) {
      return field.token("filename=" + quoted(name)).end();
    }
    List<String> segments = percentSegments(name);
    field.token("filename=" + quoted(fallback(name)) + ";");
    if (segments.size() == 1) {
      return field.token("filename*=UTF-8''" + segments.get(0)).end();
    }
    for (int i = 0; i < segments.size(); i++) {
      String value = (i == 0 ? "UTF-8''" : "") + segments.get(i);
      field.token("filename*" + i + "*=" + value + (i < segments.size() - 1 ? ";" : ""));
    }
    return field.end();
  }

  /**
   * Short printable ASCII. Two apostrophes are excluded: lenient readers (mime4j among them)
   * take {@code a'b'c} in a plain value for RFC 2231's {@code charset'language'text}. So is
   * "=?": the same readers decode RFC 2047 encoded words in parameter values, so a file named
   * {@code a=?utf-8?q?x?=} would arrive as {@code ax} (MimeComposerFuzzTest's finding).
   */
  private static boolean isPlain(String name) {
    return name.length() <= MAX_PLAIN && name.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)
        && name.chars().filter(c -> c == '\'').count() < 2 && !EncodedWords.looksEncoded(name);
  }

  /** Printable ASCII, other characters as '_', at most 60 chars: for pre-RFC 2231 readers. */
  static String fallback(String name) {
    StringBuilder out = new StringBuilder();
    name.codePoints().limit(MAX_PLAIN)
        .forEach(cp -> out.append(cp >= 0x20 && cp <= 0x7e ? (char) cp : '_'));
    // Never an encoded word for a lenient reader to decode (see isPlain).
    return out.toString().replace("=?", "=_");
  }

  private static String quoted(String text) {
    return EmailAddress.quoted(text);
  }

  /**
   * RFC 2231 §7 extended-value: attribute-chars as is, other octets %XX. Segments end on
   * character boundaries, since some readers decode each continuation on its own.
   */
  private static List<String> percentSegments(String name) {
    List<String> segments = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    StringBuilder encoded = new StringBuilder();
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int next = i + Character.charCount(cp);
      encoded.setLength(0);
      for (byte raw : name.substring(i, next).getBytes(StandardCharsets.UTF_8)) {
        int b = raw & 0xff;
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
            || (b < 0x80 && ATTR_CHARS.indexOf(b) >= 0)) {
          encoded.append((char) b);
        } else {
          encoded.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
        }
      }
      if (current.length() + encoded.length() > SEGMENT) {
        segments.add(current.toString());
        current.setLength(0);
      }
      current.append(encoded);
      i = next;
    }
    segments.add(current.toString());
    return segments;
  }
}
