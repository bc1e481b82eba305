package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

/**
 * {@link BodyEncoding#QUOTED_PRINTABLE} (RFC 2045 §6.7) over text made of what its rules turn
 * on — line breaks of every kind, spaces and tabs before them, {@code =}, a {@code .} or
 * {@code From } at a line's start, non-ASCII and astral chars, long runs that need soft breaks:
 * lines ≤ 76 octets, only printable ASCII, no trailing whitespace, no line that starts with
 * {@code .} or {@code From }, and decoding gives back the text with its breaks as CRLF.
 */
class QuotedPrintableTest {

  private static final List<String> PIECES = List.of("a", "Z", "0", "~", "!", " ", " ", "\t",
      "=", ".", "From ", "F", "\r\n", "\n", "\r", "é", "中", "🎉", "=_", "_",
      "The quick brown fox jumps over the lazy dog while the bench counts. ");

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.of(PIECES).list().ofMaxSize(120).map(pieces -> String.join("", pieces));
  }

  @Property(tries = 3000)
  void encodesWithinTheRulesAndDecodesBack(@ForAll("texts") String text) throws IOException {
    MimeOutput out = MimeOutput.inMemory(64);
    boolean endsWithBreak = BodyEncoding.QUOTED_PRINTABLE.write(text, out);
    byte[] encoded = out.contents().getBytes();
    String wire = new String(encoded, StandardCharsets.US_ASCII);

    for (byte b : encoded) {
      assertThat(b == '\r' || b == '\n' || b == '\t' || (b >= 32 && b <= 126))
          .as("octet %d in %s", b, wire).isTrue();
    }
    for (String line : wire.split("\r\n", -1)) {
      assertThat(line).as(wire).doesNotContain("\r").doesNotContain("\n");
      assertThat(line.length()).as(wire).isLessThanOrEqualTo(76);
      assertThat(line).as(wire).doesNotEndWith(" ").doesNotEndWith("\t")
          .doesNotStartWith(".").doesNotStartWith("From ");
    }
    assertThat(decode(encoded)).isEqualTo(text.replaceAll("\r\n|\r|\n", "\r\n"));
    assertThat(endsWithBreak).isEqualTo(text.endsWith("\n") || text.endsWith("\r"));
  }

  @Example
  void plainProseStaysReadable() throws IOException {
    String line = "The quick brown fox jumps over the lazy dog: 'a=b' fails. ";
    MimeOutput out = MimeOutput.inMemory(64);
    BodyEncoding.QUOTED_PRINTABLE.write(line + "\n" + line, out);
    // Only '=' and each line's trailing space are encoded; the rest goes as it is.
    String encoded = "The quick brown fox jumps over the lazy dog: 'a=3Db' fails.=20";
    String expected = encoded + "\r\n" + encoded;
    assertThat(new String(out.contents().getBytes(), StandardCharsets.US_ASCII)).isEqualTo(expected);
  }

  @Example
  void softBreaksAtSeventySixOctets() throws IOException {
    MimeOutput out = MimeOutput.inMemory(64);
    BodyEncoding.QUOTED_PRINTABLE.write("x".repeat(200), out);
    assertThat(new String(out.contents().getBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("x".repeat(75) + "=\r\n" + "x".repeat(75) + "=\r\n" + "x".repeat(50));
  }

  private static String decode(byte[] encoded) throws IOException {
    try (QuotedPrintableInputStream in = new QuotedPrintableInputStream(
        new ByteArrayInputStream(encoded), DecodeMonitor.STRICT)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
