package dev.postern.keys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The textual form of API keys, SPEC §2: {@code <prefix>_<live|test>_<48 lowercase hex>}, where
 * the 48 hex are 40 hex (20 bytes) of randomness followed by the 8-hex CRC32 of everything before
 * them (ASCII). The first 12 hex after the mode are the lookup prefix.
 *
 * <p>Immutable and thread-safe. Parsing never throws and never allocates in proportion to the
 * input: the length is checked before anything else, so a 10 KB header is refused in O(1).
 */
public final class KeyFormat {

  public static final String DEFAULT_PREFIX = "pst";

  /** Lowercase letter then 1–15 lowercase letters or digits: safe in URLs, logs and regexes. */
  private static final Pattern PREFIX_SHAPE = Pattern.compile("[a-z][a-z0-9]{1,15}");

  static final int RANDOM_HEX = 40;
  static final int CHECKSUM_HEX = 8;
  static final int BODY_HEX = RANDOM_HEX + CHECKSUM_HEX;
  static final int LOOKUP_PREFIX_HEX = 12;
  /** Both mode words are four letters, so every key of one prefix has the same length. */
  private static final int MODE_LENGTH = 4;

  private static final HexFormat HEX = HexFormat.of();

  private final String prefix;
  private final int keyLength;
  private final SecureRandom random;

  /** The default {@code pst} prefix and a fresh {@link SecureRandom}. */
  public KeyFormat() {
    this(DEFAULT_PREFIX);
  }

  /** @throws IllegalArgumentException if the prefix is not {@code [a-z][a-z0-9]{1,15}} */
  public KeyFormat(String prefix) {
    this(prefix, new SecureRandom());
  }

  /** @throws IllegalArgumentException if the prefix is not {@code [a-z][a-z0-9]{1,15}} */
  public KeyFormat(String prefix, SecureRandom random) {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX_SHAPE.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "key prefix must be a lowercase letter followed by 1 to 15 lowercase letters or digits");
    }
    this.prefix = prefix;
    this.keyLength = prefix.length() + 1 + MODE_LENGTH + 1 + BODY_HEX;
    this.random = Objects.requireNonNull(random, "random");
  }

  public String prefix() {
    return prefix;
  }

  /** Exact length of every key in this format (e.g. 57 for {@code pst}). */
  public int keyLength() {
    return keyLength;
  }

  /** A fresh key with 160 bits of randomness. */
  public ApiKeySecret generate(KeyMode mode) {
    Objects.requireNonNull(mode, "mode");
    byte[] randomness = new byte[RANDOM_HEX / 2];
    random.nextBytes(randomness);
    String head = prefix + "_" + mode.wire() + "_" + HEX.formatHex(randomness);
    String value = head + checksumHex(head);
    return new ApiKeySecret(prefix, mode, lookupPrefixOf(value), value);
  }

  /**
   * Checks a presented value (e.g. a Bearer token) without any lookup. Never throws; any input,
   * including null, control characters or megabytes, yields {@link KeyParse.Invalid}.
   */
  public KeyParse parse(CharSequence presented) {
    if (presented == null || presented.length() != keyLength) {
      return new KeyParse.Invalid(KeyParse.Reason.LENGTH);
    }
    String value = presented.toString();
    if (!value.startsWith(prefix) || value.charAt(prefix.length()) != '_') {
      return new KeyParse.Invalid(KeyParse.Reason.PREFIX);
    }
    int modeStart = prefix.length() + 1;
    int bodyStart = modeStart + MODE_LENGTH + 1;
    KeyMode mode = KeyMode.fromWire(value.substring(modeStart, modeStart + MODE_LENGTH))
        .orElse(null);
    if (mode == null || value.charAt(bodyStart - 1) != '_') {
      return new KeyParse.Invalid(KeyParse.Reason.MODE);
    }
    for (int i = bodyStart; i < keyLength; i++) {
      if (!isLowerHex(value.charAt(i))) {
        return new KeyParse.Invalid(KeyParse.Reason.CHARACTERS);
      }
    }
    int checksumStart = keyLength - CHECKSUM_HEX;
    // Compared as numbers: both sides are already known to be lowercase hex. Read in place, and
    // the CRC taken over the head's octets without cutting strings (every API request parses).
    long presentedChecksum = 0;
    for (int i = checksumStart; i < keyLength; i++) {
      presentedChecksum = presentedChecksum << 4 | Character.digit(value.charAt(i), 16);
    }
    CRC32 crc = new CRC32();
    crc.update(value.getBytes(StandardCharsets.US_ASCII), 0, checksumStart);
    if (presentedChecksum != crc.getValue()) {
      return new KeyParse.Invalid(KeyParse.Reason.CHECKSUM);
    }
    return new KeyParse.Valid(new ApiKeySecret(prefix, mode, lookupPrefixOf(value), value));
  }

  private String lookupPrefixOf(String value) {
    int bodyStart = prefix.length() + 1 + MODE_LENGTH + 1;
    return value.substring(bodyStart, bodyStart + LOOKUP_PREFIX_HEX);
  }

  private static boolean isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  /** Lowercase, zero-padded 8-hex CRC32 of the ASCII text. */
  static String checksumHex(String head) {
    return HEX.toHexDigits((int) crc32(head));
  }

  private static long crc32(String head) {
    CRC32 crc = new CRC32();
    crc.update(head.getBytes(StandardCharsets.US_ASCII));
    return crc.getValue();
  }

  @Override
  public String toString() {
    return "KeyFormat[" + prefix + "_<live|test>_<48 hex>]";
  }
}
