package dev.postern.inbound.parse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns octets of received mail into Java strings. Labels are looked up leniently, and the labels
 * mail software mislabels are widened the way browsers do (WHATWG Encoding: {@code iso-8859-1} and
 * {@code us-ascii} decode as windows-1252, a superset that only differs in 0x80–0x9F, which the
 * wild fills with Windows punctuation). Unlabelled or unknown text is read as UTF-8 when it is
 * valid UTF-8 and as windows-1252 otherwise — which decodes every octet, so nothing is lost.
 */
final class TextDecoding {

  static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private TextDecoding() {}

  /** The charset a label names, widened as above; empty for a missing or unknown label. */
  static Optional<Charset> charset(String label) {
    if (label == null) {
      return Optional.empty();
    }
    String name = label.trim().replace("\"", "").toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    switch (name) {
      case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "cp819":
        return Optional.of(WINDOWS_1252);
      case "utf8", "unicode-1-1-utf-8":
        return Optional.of(StandardCharsets.UTF_8);
      case "cp932", "windows-31j", "x-sjis", "sjis", "ms_kanji":
        return lookup("windows-31j");
      case "gb2312", "gbk", "euc-cn", "x-gbk":
        return lookup("GBK");
      case "ks_c_5601-1987", "euc-kr":
        return lookup("x-windows-949");
      default:
        return lookup(name);
    }
  }

  private static Optional<Charset> lookup(String name) {
    try {
      return Optional.of(Charset.forName(name));
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      return Optional.empty();
    }
  }

  /**
   * Decodes octets labelled {@code label}. Unmappable sequences become U+FFFD. When the label is
   * unknown the fallback above applies and {@code problem} is told what happened.
   */
  static String decode(byte[] octets, int length, String label, Problems problems) {
    Optional<Charset> charset = charset(label);
    if (charset.isPresent()) {
      Charset cs = charset.get();
      if (isAsciiLabel(label) && !isAscii(octets, length) && isUtf8(octets, length)) {
        // Labelled US-ASCII (or defaulted to it, RFC 2045 §5.2) yet 8-bit valid UTF-8: UTF-8.
        return new String(octets, 0, length, StandardCharsets.UTF_8);
      }
      return new String(octets, 0, length, cs);
    }
    if (label != null && !label.isBlank()) {
      problems.note("unknown charset \"" + shorten(label) + "\": decoded as UTF-8 or windows-1252");
    }
    return decodeUnlabelled(octets, length);
  }

  /** UTF-8 when the octets are valid UTF-8, windows-1252 otherwise (RFC 6532 allows UTF-8 headers). */
  static String decodeUnlabelled(byte[] octets, int length) {
    return isUtf8(octets, length)
        ? new String(octets, 0, length, StandardCharsets.UTF_8)
        : new String(octets, 0, length, WINDOWS_1252);
  }

  static boolean isUtf8(byte[] octets, int length) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(octets, 0, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean isAscii(byte[] octets, int length) {
    for (int i = 0; i < length; i++) {
      if (octets[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLabel(String label) {
    String name = label.trim().replace("\"", "").toLowerCase(Locale.ROOT);
    return name.equals("us-ascii") || name.equals("ascii");
  }

  static String shorten(String s) {
    return s.length() <= 160 ? s : s.substring(0, 160) + "…";
  }
}
