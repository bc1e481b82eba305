package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.mail.InvalidValue;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The body's UTF-8 check (RFC 3629 §3, and no NUL) agrees with the JDK's strict decoder on any
 * bytes, whichever way they fall across the eight-byte ASCII fast path and the chunk edges.
 */
class Utf8CheckTest {

  @Test
  void aNulOrABadByteAfterLongAsciiRunsIsFoundAtItsOffset() {
    byte[] body = "a".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
    body[16_387] = 0;
    assertThatThrownBy(() -> Utf8Check.requireValid(Buffer.buffer(body)))
        .isInstanceOf(InvalidValue.class).hasMessageContaining("NUL byte at offset 16387");
    body[16_387] = (byte) 0xC0;
    assertThatThrownBy(() -> Utf8Check.requireValid(Buffer.buffer(body)))
        .isInstanceOf(InvalidValue.class).hasMessageContaining("offset 16387");
  }

  @Test
  void aSequenceSplitAcrossTheChunkEdgeIsWhole() {
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[8192 + 10];
    java.util.Arrays.fill(body, (byte) 'x');
    System.arraycopy(euro, 0, body, 8191, 3);
    Utf8Check.requireValid(Buffer.buffer(body));
  }

  @Property(tries = 2000)
  void agreesWithTheStrictDecoder(@ForAll("mostlyAscii") byte[] body) {
    boolean valid = strictlyValid(body);
    for (Buffer buffer : asEveryKindOfBuffer(body)) {
      if (valid) {
        Utf8Check.requireValid(buffer);
      } else {
        assertThatThrownBy(() -> Utf8Check.requireValid(buffer)).isInstanceOf(InvalidValue.class);
      }
    }
  }

  /** Read in place (a heap array, and a slice of one at an offset) and in chunks (direct memory). */
  static List<Buffer> asEveryKindOfBuffer(byte[] body) {
    byte[] padded = new byte[body.length + 7];
    System.arraycopy(body, 0, padded, 3, body.length);
    // Direct memory from the JDK, wrapped: nothing for Netty's leak detector to report.
    return List.of(Buffer.buffer(body), Buffer.buffer(padded).slice(3, 3 + body.length),
        BufferInternal.buffer(Unpooled.wrappedBuffer(
            java.nio.ByteBuffer.allocateDirect(Math.max(1, body.length)).put(body).flip())));
  }

  @Provide
  Arbitrary<byte[]> mostlyAscii() {
    Arbitrary<byte[]> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1)
        .ofMaxLength(40).map(s -> s.getBytes(StandardCharsets.US_ASCII));
    Arbitrary<byte[]> wide = Arbitraries.strings().withCharRange('\u0080', '\uffff')
        .ofMaxLength(3).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(3);
    Arbitrary<byte[]> piece = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, ascii), net.jqwik.api.Tuple.of(3, wide),
        net.jqwik.api.Tuple.of(1, noise));
    return piece.list().ofMaxSize(40).map(Utf8CheckTest::joined);
  }

  private static byte[] joined(List<byte[]> pieces) {
    ByteBuffer all = ByteBuffer.allocate(pieces.stream().mapToInt(p -> p.length).sum());
    pieces.forEach(all::put);
    return all.array();
  }

  /** The JDK's decoder refuses malformed UTF-8 and encoded surrogates; NUL is ours to refuse. */
  private static boolean strictlyValid(byte[] body) {
    for (byte b : body) {
      if (b == 0) {
        return false;
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
