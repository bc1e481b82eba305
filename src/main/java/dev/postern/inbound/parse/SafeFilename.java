package dev.postern.inbound.parse;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;

/**
 * Makes an attachment name safe to store, show, and put back in a {@code Content-Disposition}
 * header or a download: NFC-normalised; without path separators ({@code / \}), control characters
 * (C0, DEL, C1: CR and LF among them), double quotes, Unicode format characters (bidi overrides
 * such as U+202E that make {@code gpj.exe} read {@code exe.jpg}, zero-width characters) and lone
 * surrogates; without leading or trailing white space and dots; at most {@value #MAX_BYTES} UTF-8
 * octets, cut at a code point boundary, keeping the extension; never empty, {@code .} or {@code ..}
 * — a name made from the content type replaces those.
 */
public final class SafeFilename {

  public static final int MAX_BYTES = 255;

  /** An extension longer than this is not kept whole when the name must be shortened. */
  private static final int MAX_KEPT_EXTENSION_BYTES = 32;

  private static final Map<String, String> EXTENSIONS = Map.ofEntries(
      Map.entry("application/pdf", "pdf"), Map.entry("application/zip", "zip"),
      Map.entry("application/json", "json"), Map.entry("application/xml", "xml"),
      Map.entry("application/msword", "doc"), Map.entry("application/vnd.ms-excel", "xls"),
      Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
      Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
      Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation",
          "pptx"),
      Map.entry("application/pgp-encrypted", "pgp"), Map.entry("application/pgp-signature", "asc"),
      Map.entry("application/pgp-keys", "asc"), Map.entry("application/pkcs7-signature", "p7s"),
      Map.entry("application/ics", "ics"), Map.entry("text/calendar", "ics"),
      Map.entry("text/plain", "txt"), Map.entry("text/html", "html"), Map.entry("text/csv", "csv"),
      Map.entry("text/xml", "xml"), Map.entry("text/vcard", "vcf"), Map.entry("text/x-vcard", "vcf"),
      Map.entry("image/jpeg", "jpg"), Map.entry("image/png", "png"), Map.entry("image/gif", "gif"),
      Map.entry("image/webp", "webp"), Map.entry("image/svg+xml", "svg"),
      Map.entry("image/heic", "heic"), Map.entry("image/tiff", "tiff"), Map.entry("image/bmp", "bmp"),
      Map.entry("audio/mpeg", "mp3"), Map.entry("video/mp4", "mp4"),
      Map.entry("message/rfc822", "eml"), Map.entry("message/delivery-status", "txt"),
      Map.entry("message/global", "eml"), Map.entry("application/octet-stream", "bin"));

  private SafeFilename() {}

  /**
   * The safe form of {@code name}, or {@link #madeUp(String, int)} when nothing usable is left.
   *
   * @param name the decoded name the message gave (may be null)
   * @param contentType the part's media type, lower case, for a made-up name
   * @param ordinal the attachment's 1-based position, for a made-up name
   */
  public static String of(String name, String contentType, int ordinal) {
    String cleaned = clean(name);
    return cleaned.isEmpty() ? madeUp(contentType, ordinal) : cleaned;
  }

  /** {@code attachment-<ordinal>.<extension of the type>}, e.g. {@code attachment-3.pdf}. */
  public static String madeUp(String contentType, int ordinal) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    String ext = EXTENSIONS.get(type);
    if (ext == null) {
      ext = type.startsWith("text/") ? "txt" : "bin";
    }
    return "attachment-" + ordinal + "." + ext;
  }

  /** The cleaned name, {@code ""} when nothing usable is left. */
  static String clean(String name) {
    if (name == null) {
      return "";
    }
    // Bounded work for a hostile name: its head and its tail (where the extension is) suffice.
    String s = name.length() <= 4 * MAX_BYTES ? name
        : name.substring(0, 2 * MAX_BYTES) + name.substring(name.length() - MAX_KEPT_EXTENSION_BYTES);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        if (Character.getType(cp) != Character.FORMAT) {
          out.appendCodePoint(cp);
        }
      } else if (!Character.isSurrogate(c) && allowed(c)) {
        out.append(Character.isWhitespace(c) ? ' ' : c);
      }
    }
    String result = Normalizer.normalize(out, Normalizer.Form.NFC);
    result = trim(result);
    result = shorten(result);
    return result.equals(".") || result.equals("..") ? "" : result;
  }

  private static boolean allowed(char c) {
    return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f) && c != '/' && c != '\\'
        && c != '"' && Character.getType(c) != Character.FORMAT
        && c != '\u2028' && c != '\u2029';
  }

  /** Drops leading and trailing white space and dots (Windows drops trailing ones silently). */
  private static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '.')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '.')) {
      end--;
    }
    return s.substring(start, end);
  }

  /** At most {@value #MAX_BYTES} UTF-8 octets, cutting the stem and keeping a short extension. */
  private static String shorten(String s) {
    if (utf8Length(s) <= MAX_BYTES) {
      return s;
    }
    int dot = s.lastIndexOf('.');
    String ext = dot > 0 ? s.substring(dot) : "";
    if (utf8Length(ext) > MAX_KEPT_EXTENSION_BYTES) {
      ext = "";
    }
    String stem = ext.isEmpty() ? s : s.substring(0, dot);
    int budget = MAX_BYTES - utf8Length(ext);
    StringBuilder kept = new StringBuilder();
    int used = 0;
    for (int i = 0; i < stem.length(); ) {
      int cp = stem.codePointAt(i);
      int len = utf8Length(new String(Character.toChars(cp)));
      if (used + len > budget) {
        break;
      }
      kept.appendCodePoint(cp);
      used += len;
      i += Character.charCount(cp);
    }
    return trim(kept.toString()) + ext;
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
