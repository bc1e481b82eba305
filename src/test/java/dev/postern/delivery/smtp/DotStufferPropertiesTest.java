package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The chunked stuffer (which hands clean chunks back uncopied) against RFC 5321 §4.5.2 applied
 * to the whole content at once, for contents built from what it turns on (CR, LF, '.', runs of
 * other octets), cut into chunks of every size, held in heap arrays at an offset (slices) and in
 * direct memory.
 */
class DotStufferPropertiesTest {

  @Property(tries = 3000)
  void chunkedOutputIsTheWholeContentStuffed(@ForAll("contents") String content,
      @ForAll @IntRange(min = 1, max = 64) int chunk, @ForAll("memories") String memory) {
    byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
    DotStuffer stuffer = new DotStuffer();
    Buffer out = Buffer.buffer();
    for (int at = 0; at < bytes.length; at += chunk) {
      out.appendBuffer(stuffer.stuff(held(bytes, at, Math.min(chunk, bytes.length - at), memory)));
    }
    out.appendBuffer(stuffer.terminator());
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .as("content %s", content.replace("\r", "\\r").replace("\n", "\\n"))
        .isEqualTo(stuffed(content));
  }

  @Provide
  Arbitrary<String> contents() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.of("\r\n", "\n", "\r", ".", "\r\n.", "\n.", "\r\n.\r\n", "..", "\r\r\n"),
        Arbitraries.strings().withChars("abcXYZ.=-: \u00e9\u00ff").ofMinLength(1).ofMaxLength(200));
    return piece.list().ofMaxSize(40).map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> memories() {
    return Arbitraries.of("heap", "slice", "direct");
  }

  private static Buffer held(byte[] bytes, int from, int length, String memory) {
    return switch (memory) {
      case "heap" -> Buffer.buffer(java.util.Arrays.copyOfRange(bytes, from, from + length));
      case "slice" -> Buffer.buffer(bytes).slice(from, from + length);
      // A JDK direct buffer wrapped: off-heap like a pooled one, and nothing to release.
      default -> BufferInternal.buffer(Unpooled.wrappedBuffer(
          ByteBuffer.allocateDirect(length).put(bytes, from, length).flip()));
    };
  }

  /** §4.5.2 over the whole content: lines end at LF (a bare LF gets its CR); leading dots doubled. */
  private static String stuffed(String content) {
    StringBuilder out = new StringBuilder();
    boolean lineStart = true;
    char previous = 0;
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      if (lineStart && c == '.') {
        out.append('.');
      }
      if (c == '\n' && previous != '\r') {
        out.append('\r');
      }
      out.append(c);
      lineStart = c == '\n';
      previous = c;
    }
    if (previous == '\r') {
      return out.append("\n.\r\n").toString();
    }
    return out.append(lineStart ? ".\r\n" : "\r\n.\r\n").toString();
  }
}
