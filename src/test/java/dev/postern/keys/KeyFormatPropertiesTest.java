package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** Properties of the key text format (TESTING.md "Fuzzing and properties": the key parser). */
class KeyFormatPropertiesTest {

  private final KeyFormat format = new KeyFormat();

  @Property(tries = 500)
  void everyGeneratedKeyParsesBackToItsModeAndLookupPrefix(@ForAll KeyMode mode) {
    ApiKeySecret key = format.generate(mode);
    ApiKeySecret parsed = format.parse(key.plaintext()).key().orElseThrow();
    assertThat(parsed.mode()).isEqualTo(mode);
    assertThat(parsed.lookupPrefix()).isEqualTo(key.lookupPrefix());
    assertThat(parsed.plaintext()).isEqualTo(key.plaintext());
  }

  @Property(tries = 300)
  void everyConfiguredPrefixRoundTrips(@ForAll("prefixes") String prefix, @ForAll KeyMode mode) {
    KeyFormat custom = new KeyFormat(prefix);
    ApiKeySecret key = custom.generate(mode);
    assertThat(key.plaintext()).startsWith(prefix + "_" + mode.wire() + "_");
    assertThat(custom.parse(key.plaintext()).isValid()).isTrue();
  }

  @Property(tries = 2000)
  void changingAnySingleCharacterMakesTheKeyInvalid(
      @ForAll KeyMode mode, @ForAll @IntRange(min = 0, max = 56) int position,
      @ForAll char replacement) {
    String valid = format.generate(mode).plaintext();
    net.jqwik.api.Assume.that(valid.charAt(position) != replacement);
    String changed = valid.substring(0, position) + replacement + valid.substring(position + 1);
    assertThat(format.parse(changed).isValid()).isFalse();
  }

  @Property(tries = 2000)
  void changingAnyHexDigitToAnotherIsCaughtByTheChecksum(
      @ForAll KeyMode mode, @ForAll @IntRange(min = 9, max = 56) int position,
      @ForAll @CharRange(from = '0', to = '9') @CharRange(from = 'a', to = 'f') char digit) {
    String valid = format.generate(mode).plaintext();
    net.jqwik.api.Assume.that(valid.charAt(position) != digit);
    String changed = valid.substring(0, position) + digit + valid.substring(position + 1);
    assertThat(format.parse(changed))
        .isEqualTo(new KeyParse.Invalid(KeyParse.Reason.CHECKSUM));
  }

  @Property(tries = 1000)
  void arbitraryTextNeverThrowsAndIsNeverAKey(@ForAll @StringLength(max = 200) String text) {
    KeyParse parsed = format.parse(text);
    assertThat(parsed.isValid()).isFalse();
  }

  @Property(tries = 1000)
  void keyLengthTextWithAnyCharactersNeverThrows(@ForAll("keyLengthNoise") String text) {
    assertThat(format.parse(text)).isNotNull();
  }

  @Property(tries = 50)
  void hugeInputIsRefusedByLength(@ForAll @IntRange(min = 58, max = 1_000_000) int length) {
    assertThat(format.parse("p".repeat(length)))
        .isEqualTo(new KeyParse.Invalid(KeyParse.Reason.LENGTH));
  }

  @Provide
  Arbitrary<String> prefixes() {
    Arbitrary<Character> first = Arbitraries.chars().range('a', 'z');
    Arbitrary<String> rest = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
        .ofMinLength(1).ofMaxLength(15);
    return Combinators.combine(first, rest).as((f, r) -> f + r);
  }

  /**
   * Exactly key-length strings that mostly look like keys: a real prefix and mode followed by
   * anything (control characters, unicode, uppercase), so the later checks are reached.
   */
  @Provide
  Arbitrary<String> keyLengthNoise() {
    Arbitrary<String> head = Arbitraries.of("pst_live_", "pst_test_", "pst_prod_", "PST_live_",
        "pst-live-", "\u0000st_live_");
    Arbitrary<String> tail = Arbitraries.strings().all().ofLength(48);
    Arbitrary<String> hexish = Arbitraries.strings().withCharRange('0', '9')
        .withCharRange('a', 'f').withChars('A', 'F', 'g', ' ', '\n', '\u0085', 'é')
        .ofLength(48);
    return Combinators.combine(head, Arbitraries.oneOf(tail, hexish)).as(String::concat);
  }
}
