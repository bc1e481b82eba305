package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.postern.refusal.Refusal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Long string values ({@link LargeJsonString}) read back exactly as Jackson's own
 * {@code getText()} gives them: Latin-1, wide chars and surrogate pairs anywhere (also across
 * Jackson's segment boundaries), escapes; and a lone surrogate from an escape is still refused.
 */
class LargeJsonStringTest {

  private final RequestJson json = new RequestJson();

  /** Parsed in place, from a slice at an offset, and through the stream (direct memory): one answer. */
  private String roundTrip(String value) {
    byte[] body = new JsonObject().put("v", value).encode().getBytes(StandardCharsets.UTF_8);
    String read = null;
    for (Buffer buffer : Utf8CheckTest.asEveryKindOfBuffer(body)) {
      String parsed = json.object(buffer).getString("v");
      if (read != null) {
        assertThat(parsed).isEqualTo(read);
      }
      read = parsed;
    }
    return read;
  }

  @Test
  void aLongBase64ValueReadsBackExactly() {
    String value = "QUJD".repeat(70_000);
    assertThat(roundTrip(value)).isEqualTo(value);
  }

  @Test
  void wideCharsAndPairsAtEveryOffsetReadBackExactly() {
    StringBuilder value = new StringBuilder();
    for (int i = 0; value.length() < 200_000; i++) {
      value.append("abc\u00e9\u00ff".repeat(i % 7)).append(i % 3 == 0 ? "\u4e2d" : "\ud83d\ude00")
          .append("\"\\\n\t");
    }
    assertThat(roundTrip(value.toString())).isEqualTo(value.toString());
  }

  @Test
  void aLoneSurrogateEscapeInALongValueIsRefused() {
    String body = "{\"v\":\"" + "A".repeat(40_000) + "\\ud800" + "B".repeat(100) + "\"}";
    Refusal e = catchThrowableOfType(Refusal.class,
        () -> json.object(body.getBytes(StandardCharsets.UTF_8)));
    assertThat(e).isNotNull();
    assertThat(e.issues().get(0).message()).contains("unpaired UTF-16 surrogate");
  }

  @Property(tries = 200)
  void anyLongTextReadsBackExactly(@ForAll("longText") String value) {
    assertThat(roundTrip(value)).isEqualTo(value);
  }

  @Provide
  Arbitrary<String> longText() {
    Arbitrary<String> pieces = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('A', 'z').ofMinLength(1).ofMaxLength(5000),
        Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofMaxLength(50),
        Arbitraries.of("\ud83d\ude00", "\u4e2d", "\u0100", "\"", "\\", "\n", "\u0000"));
    return pieces.list().ofMinSize(1).ofMaxSize(60).map(list -> String.join("", list))
        .map(s -> s.length() >= LargeJsonString.THRESHOLD ? s
            : s + "x".repeat(LargeJsonString.THRESHOLD - s.length() + 7));
  }
}
