package dev.postern.blob;

import java.nio.charset.StandardCharsets;

/**
 * The one rule for keys, shared by every adapter so a key valid on disk is valid on S3 too:
 * relative {@code /}-separated segments, each non-empty, not {@code .} or {@code ..}, not
 * starting with {@code .tmp-} (reserved for in-flight writes), no backslash, no control
 * characters, at most 1024 bytes of UTF-8 (S3's limit).
 */
public final class BlobKey {

  /** Prefix of the names adapters may use for objects still being written. */
  public static final String TEMP_PREFIX = ".tmp-";

  private static final int MAX_UTF8_BYTES = 1024;

  private BlobKey() {}

  /** Returns {@code key} unchanged if valid; otherwise throws {@link IllegalArgumentException}. */
  public static String requireValid(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("blob key is empty");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_UTF8_BYTES) {
      throw new IllegalArgumentException("blob key longer than " + MAX_UTF8_BYTES + " bytes");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '\\' || Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        throw new IllegalArgumentException("blob key contains a forbidden character at " + i);
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
          || segment.startsWith(TEMP_PREFIX)) {
        throw new IllegalArgumentException("blob key has an empty, dot or reserved segment");
      }
    }
    return key;
  }

  /** A listing prefix: empty, or what a key may start with (no dot segments, no backslash). */
  public static String requireValidPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("blob prefix is null");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    String probe = prefix.endsWith("/") ? prefix + "x" : prefix;
    requireValid(probe);
    return prefix;
  }
}
