package dev.postern.send;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * RFC 2047 "B" encoded words in UTF-8. Each word holds whole characters (RFC 2047 §5: an encoded
 * word must not split a multi-octet character) and is at most {@value #MAX_WORD} characters
 * (RFC 2047 §2). Whitespace between adjacent encoded words is dropped when decoding (§6.2), so
 * a folded sequence of words decodes back to exactly the original text.
 */
final class EncodedWords {

  static final int MAX_WORD = 75;
  private static final String PREFIX = "=?UTF-8?B?";
  private static final String SUFFIX = "?=";
  /** The shortest word that can carry any one code point (4 UTF-8 octets → 8 base64 chars). */
  private static final int MIN_WORD = PREFIX.length() + SUFFIX.length() + 8;

  private EncodedWords() {}

  /**
   * Encodes {@code text} into words; the first at most {@code firstMax} characters long (so it
   * fits after the field name), the rest at most {@value #MAX_WORD}.
   */
  static List<String> encode(String text, int firstMax) {
    List<String> words = new ArrayList<>();
    int max = Math.max(MIN_WORD, Math.min(MAX_WORD, firstMax));
    int start = 0;
    while (start < text.length() || words.isEmpty()) {
      int maxOctets = (max - PREFIX.length() - SUFFIX.length()) / 4 * 3;
      int end = start;
      int octets = 0;
      while (end < text.length()) {
        int cp = text.codePointAt(end);
        int size = utf8Length(cp);
        if (octets + size > maxOctets) {
          break;
        }
        octets += size;
        end += Character.charCount(cp);
      }
      byte[] bytes = text.substring(start, end).getBytes(StandardCharsets.UTF_8);
      words.add(PREFIX + Base64.getEncoder().encodeToString(bytes) + SUFFIX);
      start = end;
      max = MAX_WORD;
    }
    return words;
  }

  /** True when {@code text} could be mistaken for encoded words by a decoder. */
  static boolean looksEncoded(String text) {
    return text.contains("=?");
  }

  private static int utf8Length(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}
