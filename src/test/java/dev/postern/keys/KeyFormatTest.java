package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.zip.CRC32;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyFormatTest {

  private final KeyFormat format = new KeyFormat();

  /** A key built by hand from the SPEC rules, independent of KeyFormat's own code. */
  private static String handMade(String prefix, String mode, String random40) {
    String head = prefix + "_" + mode + "_" + random40;
    CRC32 crc = new CRC32();
    crc.update(head.getBytes(StandardCharsets.US_ASCII));
    return head + String.format("%08x", crc.getValue());
  }

  @Test
  void generatedLiveKeyHasTheSpecShape() {
    ApiKeySecret key = format.generate(KeyMode.LIVE);
    assertThat(key.plaintext()).matches("pst_live_[0-9a-f]{48}");
    assertThat(key.plaintext()).hasSize(format.keyLength()).hasSize(57);
    assertThat(key.mode()).isEqualTo(KeyMode.LIVE);
    assertThat(key.lookupPrefix()).isEqualTo(key.plaintext().substring(9, 21));
  }

  @Test
  void generatedTestKeyUsesTheConfiguredPrefix() {
    ApiKeySecret key = new KeyFormat("acme2").generate(KeyMode.TEST);
    assertThat(key.plaintext()).matches("acme2_test_[0-9a-f]{48}");
  }

  @Test
  void acceptsAHandMadeKeyAndReadsItsParts() {
    String value = handMade("pst", "test", "0123456789abcdef0123456789abcdef01234567");
    KeyParse parsed = format.parse(value);
    assertThat(parsed.isValid()).isTrue();
    ApiKeySecret key = parsed.key().orElseThrow();
    assertThat(key.mode()).isEqualTo(KeyMode.TEST);
    assertThat(key.lookupPrefix()).isEqualTo("0123456789ab");
    assertThat(key.plaintext()).isEqualTo(value);
  }

  @Test
  void checksumIsZeroPaddedLowercaseHex() {
    // Whatever the CRC value, the checksum part is always exactly 8 lowercase hex.
    for (int i = 0; i < 200; i++) {
      String value = format.generate(KeyMode.LIVE).plaintext();
      assertThat(value.substring(49)).matches("[0-9a-f]{8}");
    }
    assertThat(KeyFormat.checksumHex("x")).hasSize(8);
  }

  @Test
  void refusesAKeyWithAnotherPrefix() {
    String other = handMade("abc", "live", "0".repeat(40));
    assertThat(format.parse(other)).isEqualTo(new KeyParse.Invalid(KeyParse.Reason.PREFIX));
    String valid = format.generate(KeyMode.LIVE).plaintext();
    assertThat(new KeyFormat("psx").parse(valid).isValid()).isFalse();
  }

  @Test
  void refusesAnUnknownMode() {
    String value = handMade("pst", "prod", "0".repeat(40));
    assertThat(format.parse(value)).isEqualTo(new KeyParse.Invalid(KeyParse.Reason.MODE));
    assertThat(format.parse(handMade("pst", "LIVE", "0".repeat(40))).isValid()).isFalse();
  }

  @Test
  void refusesUppercaseHexEvenWithAMatchingChecksum() {
    String value = handMade("pst", "live", "ABCDEF" + "0".repeat(34));
    assertThat(format.parse(value)).isEqualTo(new KeyParse.Invalid(KeyParse.Reason.CHARACTERS));
  }

  @Test
  void refusesABadChecksum() {
    String value = handMade("pst", "live", "1".repeat(40));
    String broken = value.substring(0, 49) + (value.charAt(49) == '0' ? '1' : '0')
        + value.substring(50);
    assertThat(format.parse(broken)).isEqualTo(new KeyParse.Invalid(KeyParse.Reason.CHECKSUM));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "pst_live_", "pst_live_0123", "Bearer pst_live_x"})
  void refusesShortInputByLength(String input) {
    assertThat(format.parse(input)).isEqualTo(new KeyParse.Invalid(KeyParse.Reason.LENGTH));
  }

  @Test
  void refusesNullAndTenKilobytesByLength() {
    assertThat(format.parse(null)).isEqualTo(new KeyParse.Invalid(KeyParse.Reason.LENGTH));
    assertThat(format.parse("a".repeat(10_240)))
        .isEqualTo(new KeyParse.Invalid(KeyParse.Reason.LENGTH));
  }

  @Test
  void refusesSurroundingWhitespaceAndControlCharacters() {
    String valid = format.generate(KeyMode.LIVE).plaintext();
    assertThat(format.parse(" " + valid).isValid()).isFalse();
    assertThat(format.parse(valid + "\n").isValid()).isFalse();
    assertThat(format.parse(valid.substring(0, 56) + "\u0000").isValid()).isFalse();
    assertThat(format.parse(valid.substring(0, 20) + "\r" + valid.substring(21)).isValid())
        .isFalse();
    assertThat(format.parse(valid.substring(0, 20) + "٣" + valid.substring(21)).isValid())
        .isFalse();
  }

  @Test
  void refusesATruncatedKeyPaddedBackToLength() {
    String valid = format.generate(KeyMode.LIVE).plaintext();
    assertThat(format.parse(valid.substring(0, 56)).isValid()).isFalse();
    assertThat(format.parse(valid.substring(0, 56) + "0").isValid())
        .isEqualTo(valid.endsWith("0"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "p", "Pst", "1pst", "pst_", "ps-t", "abcdefghijklmnopq", "pşt"})
  void refusesAnUnsafePrefixAtConstruction(String prefix) {
    assertThatThrownBy(() -> new KeyFormat(prefix))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void acceptsPrefixesAtTheBoundaries() {
    assertThat(new KeyFormat("ab").keyLength()).isEqualTo(56);
    assertThat(new KeyFormat("a" + "b".repeat(15)).prefix()).hasSize(16);
  }

  @Test
  void secretsCompareByValue() {
    ApiKeySecret key = format.generate(KeyMode.LIVE);
    assertThat(format.parse(key.plaintext()).key()).contains(key);
    assertThat(key).isNotEqualTo(format.generate(KeyMode.LIVE));
  }
}
