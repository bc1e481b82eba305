package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link AsciiText}: the eight-at-a-time scan for the end of a plain JSON run finds exactly the
 * octet a one-at-a-time rule finds, wherever the stop octet is and whatever it is.
 */
class AsciiTextTest {

  /** RFC 8259 §7, as the view needs it: printable ASCII other than the quote and the backslash. */
  private static int byRule(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xFF;
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') {
        return i;
      }
    }
    return to;
  }

  @Property(tries = 3000)
  void findsTheSameEndAsTheRule(@ForAll("bodies") byte[] bytes, @ForAll @IntRange(max = 15) int from,
      @ForAll @IntRange(max = 15) int cut) {
    int start = Math.min(from, bytes.length);
    int end = Math.max(start, bytes.length - cut);
    assertThat(AsciiText.plainJsonRunEnd(bytes, start, end)).isEqualTo(byRule(bytes, start, end));
  }

  /** Mostly base64 symbols, with every kind of stop octet now and then, at any offset. */
  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<Byte> symbols = Arbitraries.bytes().between((byte) 0x20, (byte) 0x7f)
        .filter(b -> b != '"' && b != '\\');
    Arbitrary<Byte> stops = Arbitraries.of((byte) '"', (byte) '\\', (byte) 0x00, (byte) 0x1f,
        (byte) '\n', (byte) 0x80, (byte) 0xc3, (byte) 0xff);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(200, symbols),
            net.jqwik.api.Tuple.of(1, stops))
        .array(byte[].class).ofMaxSize(200);
  }

  @Test
  void aLongRunStopsAtTheFirstStopOctetOnly() {
    byte[] bytes = "A".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    assertThat(AsciiText.plainJsonRunEnd(bytes, 0, bytes.length)).isEqualTo(1000);
    for (byte stop : new byte[] {'"', '\\', 0x01, (byte) 0x80, (byte) 0xff}) {
      for (int at : new int[] {0, 1, 7, 8, 9, 511, 999}) {
        byte[] copy = bytes.clone();
        copy[at] = stop;
        assertThat(AsciiText.plainJsonRunEnd(copy, 0, copy.length)).as("stop %d at %d", stop, at)
            .isEqualTo(at);
        // A stop octet outside the region does not count.
        assertThat(AsciiText.plainJsonRunEnd(copy, at + 1, copy.length)).isEqualTo(copy.length);
      }
    }
  }

  @Test
  void isACharSequenceOfItsRegion() {
    byte[] body = "xx{\"content\":\"aGVsbG8=\"}".getBytes(StandardCharsets.US_ASCII);
    AsciiText text = new AsciiText(body, 14, 8);
    assertThat(text).hasToString("aGVsbG8=");
    assertThat(text.length()).isEqualTo(8);
    assertThat(text.charAt(0)).isEqualTo('a');
    assertThat(text.subSequence(1, 4)).hasToString("GVs");
    assertThat(text).isEqualTo(AsciiText.of("aGVsbG8=")).hasSameHashCodeAs(AsciiText.of("aGVsbG8="));
    assertThat(text).isNotEqualTo(AsciiText.of("aGVsbG8"));
    assertThatThrownBy(() -> text.charAt(8)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> new AsciiText(body, 20, 10)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
