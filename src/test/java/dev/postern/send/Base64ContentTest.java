package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.mail.InvalidValue;
import java.util.Base64;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Attachment base64 (RFC 4648 §4): the table scan over octets gives the same verdict, text and
 * size as the plain rule stated char by char ({@link #byRule}), on any text — whitespace,
 * padding anywhere, chars above 0xFF (which must not alias an alphabet symbol).
 */
class Base64ContentTest {

  @Test
  void canonicalTextIsReturnedAsGivenWithItsDecodedSize() {
    byte[] bytes = new byte[200 * 1024 + 1];
    new Random(7).nextBytes(bytes);
    String text = Base64.getEncoder().encodeToString(bytes);
    Base64Content.Normalised n = Base64Content.normalise(text);
    assertThat(n.base64()).hasToString(text);
    assertThat(n.decodedSize()).isEqualTo(bytes.length);
    // A view of a request body is validated where it lies and kept as it is: no copy.
    AsciiText view = inBody(text);
    assertThat(Base64Content.normalise(view).base64()).isSameAs(view);
  }

  @Test
  void wrappedAndUnpaddedTextIsUnwrappedAndPadded() {
    assertThat(Base64Content.normalise("aGVs\r\nbG8").base64()).hasToString("aGVsbG8=");
    assertThat(Base64Content.normalise(" aG\tk ").base64()).hasToString("aGk=");
    assertThat(Base64Content.normalise(inBody("aGVs\r\nbG8")).base64()).hasToString("aGVsbG8=");
    assertThat(Base64Content.normalise("aGk").decodedSize()).isEqualTo(2);
  }

  @Test
  void refusalsSayWhatIsWrong() {
    assertThatThrownBy(() -> Base64Content.normalise("aGk=aGk=")).isInstanceOf(InvalidValue.class)
        .hasMessageContaining("data after padding");
    assertThatThrownBy(() -> Base64Content.normalise("aG-k")).isInstanceOf(InvalidValue.class)
        .hasMessageContaining("outside the alphabet");
    // U+0141's low byte is 0x41, 'A': the char is still outside the alphabet.
    assertThatThrownBy(() -> Base64Content.normalise("aGk\u0141")).isInstanceOf(InvalidValue.class)
        .hasMessageContaining("outside the alphabet");
    assertThatThrownBy(() -> Base64Content.normalise("aGVsb")).isInstanceOf(InvalidValue.class)
        .hasMessageContaining("bad length or padding");
    assertThatThrownBy(() -> Base64Content.normalise("aGVs=")).isInstanceOf(InvalidValue.class)
        .hasMessageContaining("bad length or padding");
  }

  @Property(tries = 3000)
  void agreesWithTheRuleCharByChar(@ForAll("base64ish") String text) {
    String expected;
    try {
      expected = byRule(text);
    } catch (InvalidValue e) {
      assertThatThrownBy(() -> Base64Content.normalise(text)).isInstanceOf(InvalidValue.class)
          .hasMessage(e.getMessage());
      if (text.chars().allMatch(c -> c < 0x80)) {
        assertThatThrownBy(() -> Base64Content.normalise(inBody(text)))
            .isInstanceOf(InvalidValue.class).hasMessage(e.getMessage());
      }
      return;
    }
    Base64Content.Normalised n = Base64Content.normalise(text);
    assertThat(n.base64()).hasToString(expected);
    if (text.chars().allMatch(c -> c < 0x80)) {
      // The same text as a view inside a larger array (the request body), at an odd offset.
      Base64Content.Normalised viewed = Base64Content.normalise(inBody(text));
      assertThat(viewed.base64()).hasToString(expected);
      assertThat(viewed.decodedSize()).isEqualTo(n.decodedSize());
    }
    String symbols = expected.replace("=", "");
    assertThat(n.decodedSize()).isEqualTo(symbols.length() * 3L / 4);
    assertThat(Base64.getDecoder().decode(expected)).hasSize((int) n.decodedSize());
  }

  @Provide
  Arbitrary<String> base64ish() {
    Arbitrary<Character> chars = Arbitraries.frequencyOf(
        Tuple.of(120, Arbitraries.chars().with(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")),
        Tuple.of(4, Arbitraries.chars().with(" \t\r\n")),
        Tuple.of(3, Arbitraries.just('=')),
        Tuple.of(1, Arbitraries.chars().with("-_.\u0000\u007f\u0080\u00ff\u0141\u0100\u2041")));
    return chars.list().ofMaxSize(80).map(list -> {
      StringBuilder text = new StringBuilder();
      list.forEach(text::append);
      return text.toString();
    });
  }

  /**
   * ASCII text as a view in the middle of a larger array whose other octets are alphabet
   * symbols, so a scan that reads past either end of the view would change the verdict.
   */
  private static AsciiText inBody(String ascii) {
    byte[] body = new byte[ascii.length() + 19];
    java.util.Arrays.fill(body, (byte) 'Q');
    byte[] octets = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(octets, 0, body, 11, octets.length);
    return new AsciiText(body, 11, octets.length);
  }

  /** The rule, one char at a time: the reference the fast scan must match. */
  private static String byRule(String content) {
    StringBuilder symbols = new StringBuilder();
    int padding = 0;
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        continue;
      }
      if (c == '=') {
        padding++;
      } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/') {
        if (padding > 0) {
          throw new InvalidValue("is not valid base64 (data after padding)");
        }
        symbols.append(c);
      } else {
        throw new InvalidValue("is not valid base64 (character outside the alphabet)");
      }
    }
    int tail = symbols.length() % 4;
    if (tail == 1 || (tail == 0 ? padding != 0 : padding > 4 - tail)) {
      throw new InvalidValue("is not valid base64 (bad length or padding)");
    }
    return tail == 0 ? symbols.toString() : symbols + "==".substring(0, 4 - tail);
  }
}
