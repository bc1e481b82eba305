package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Jazzer target for {@link KeyFormat#parse} (issue #15 item 10). In a normal {@code mvn test} it
 * runs once per kept input under {@code src/test/resources/dev/postern/keys/KeyParseFuzzTestInputs/parse/};
 * {@code scripts/fuzz.sh keys} fuzzes it.
 *
 * <p>Input layout (so seeds can be written by hand): byte 0 chooses the prefix (bits 1-2) and
 * the path (bit 0). Path 0: the rest, as UTF-8, is the presented string. Path 1: byte 1 chooses
 * the mode, the next 20 bytes are the key's randomness, and the rest are edits, pairs of
 * (position, octet) applied to the well-formed key built from them.
 *
 * <p>A failure is: parse throws; its verdict differs from an independent reference (a regex and
 * {@link CRC32}), reason included; a Valid key's parts are not the presented text's; the
 * redacted {@code toString} shows any of the secret; or a key with exactly one character changed
 * is accepted (CRC-32 detects every error confined to 32 consecutive bits).
 */
class KeyParseFuzzTest {

  private static final List<String> PREFIXES = List.of("pst", "k9", "a123456789abcdef", "zz");

  @DictionaryEntries({"pst_", "_live_", "_test_", "live", "test", "0123456789abcdef"})
  @FuzzTest(maxDuration = "10m")
  void parse(byte[] input) {
    if (input.length == 0) {
      check(new KeyFormat(), "", null);
      return;
    }
    String prefix = PREFIXES.get((input[0] >> 1) & 3);
    KeyFormat format = new KeyFormat(prefix);
    if ((input[0] & 1) == 0) {
      check(format, new String(input, 1, input.length - 1, StandardCharsets.UTF_8), null);
      return;
    }
    String mode = input.length > 1 && (input[1] & 1) == 1 ? "test" : "live";
    byte[] randomness = new byte[20];
    System.arraycopy(input, Math.min(2, input.length), randomness, 0,
        Math.max(0, Math.min(20, input.length - 2)));
    String head = prefix + "_" + mode + "_" + HexFormat.of().formatHex(randomness);
    String key = head + String.format("%08x", crc32(head));
    assertThat(format.parse(key).isValid()).as("a well-formed key").isTrue();
    char[] edited = key.toCharArray();
    for (int i = 22; i + 1 < input.length; i += 2) {
      edited[(input[i] & 0xff) % edited.length] = (char) (input[i + 1] & 0xff);
    }
    check(format, new String(edited), key);
  }

  /** Checks one presented value against the reference; {@code original} is the key it came from. */
  private static void check(KeyFormat format, String presented, String original) {
    KeyParse result = format.parse(presented);
    KeyParse.Reason expected = reference(format.prefix(), format.keyLength(), presented);
    if (expected == null) {
      assertThat(result).isInstanceOf(KeyParse.Valid.class);
      ApiKeySecret secret = result.key().orElseThrow();
      int bodyStart = format.prefix().length() + 6;
      assertThat(secret.plaintext()).isEqualTo(presented);
      assertThat(secret.mode().wire()).isEqualTo(presented.substring(bodyStart - 5, bodyStart - 1));
      assertThat(secret.lookupPrefix()).isEqualTo(presented.substring(bodyStart, bodyStart + 12));
      assertThat(secret.toString()).doesNotContain(presented.substring(bodyStart, bodyStart + 4));
    } else {
      assertThat(result).isEqualTo(new KeyParse.Invalid(expected));
    }
    if (original != null && differences(original, presented) == 1) {
      assertThat(result.isValid()).as("one changed character in " + original).isFalse();
    }
  }

  /** The SPEC §2 grammar written independently of KeyFormat: null when valid, else the reason. */
  static KeyParse.Reason reference(String prefix, int length, String s) {
    if (s.length() != length) {
      return KeyParse.Reason.LENGTH;
    }
    if (!s.startsWith(prefix + "_")) {
      return KeyParse.Reason.PREFIX;
    }
    String rest = s.substring(prefix.length() + 1);
    if (!rest.startsWith("live_") && !rest.startsWith("test_")) {
      return KeyParse.Reason.MODE;
    }
    String body = rest.substring(5);
    if (!body.matches("[0-9a-f]{48}")) {
      return KeyParse.Reason.CHARACTERS;
    }
    String head = s.substring(0, s.length() - 8);
    return String.format("%08x", crc32(head)).equals(body.substring(40))
        ? null : KeyParse.Reason.CHECKSUM;
  }

  private static long crc32(String ascii) {
    CRC32 crc = new CRC32();
    crc.update(ascii.getBytes(StandardCharsets.ISO_8859_1));
    return crc.getValue();
  }

  private static int differences(String a, String b) {
    int n = 0;
    for (int i = 0; i < a.length(); i++) {
      n += a.charAt(i) == b.charAt(i) ? 0 : 1;
    }
    return n;
  }
}
