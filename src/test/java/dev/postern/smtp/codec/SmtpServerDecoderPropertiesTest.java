package dev.postern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines;
import dev.postern.smtp.codec.SmtpServerDecoder.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties and fuzz regressions of the decoder (TESTING.md "Fuzzing and properties"). */
class SmtpServerDecoderPropertiesTest {

  /**
   * Any message, dot-stuffed as a client sends it and cut into reads at random places, comes out
   * as the original content (CRLF kept, the final "." CRLF not), once, in bounded chunks.
   */
  @Property(tries = 1000)
  void aDotStuffedMessageSplitAnywhereComesOutAsTheOriginal(
      @ForAll("messageLines") List<String> lines, @ForAll("cuts") List<Integer> cuts,
      @ForAll BareNewlines mode, @ForAll @IntRange(min = 1, max = 64) int chunk) {
    StringBuilder message = new StringBuilder();
    StringBuilder wire = new StringBuilder();
    for (String line : lines) {
      message.append(line).append("\r\n");
      wire.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
    }
    wire.append(".\r\n");
    try (DecoderHarness smtp = SmtpServerDecoderDataTest.inData(
        new DecoderHarness(new Limits(512, 1000, chunk), mode))) {
      List<String> events = new ArrayList<>();
      for (byte[] piece : split(wire.toString().getBytes(StandardCharsets.ISO_8859_1), cuts)) {
        events.addAll(smtp.write(piece));
      }
      List<String> expected = message.length() == 0 ? List.of("end-of-data")
          : List.of("content:" + message, "end-of-data");
      assertThat(mergeContent(events)).isEqualTo(expected);
      assertThat(smtp.chunkSizes).allMatch(size -> size <= chunk);
      assertThat(smtp.buffered()).isZero();
    }
  }

  /**
   * SMTP smuggling as a property: a body built of fake ends ({@code \n.\n}, {@code \n.\r\n},
   * {@code \r\n.\n}), dots and commands, holding no real CRLF "." CRLF. In normalize mode it is
   * all content (bare LF read as CRLF, stuffing removed) and only the real end that follows ends
   * it; in reject mode it never ends (BARE_LF), whatever the reads.
   */
  @Property(tries = 1000)
  void onlyARealCrlfDotCrlfEndsTheData(@ForAll("smugglingBodies") String body,
      @ForAll("cuts") List<Integer> cuts, @ForAll BareNewlines mode) {
    String terminated = body + "\r\n";
    Assume.that(!("\r\n" + terminated).contains("\r\n.\r\n"));
    byte[] wire = (terminated + ".\r\n").getBytes(StandardCharsets.ISO_8859_1);
    try (DecoderHarness smtp = SmtpServerDecoderDataTest.inData(mode)) {
      List<String> events = new ArrayList<>();
      for (byte[] piece : split(wire, cuts)) {
        events.addAll(smtp.write(piece));
      }
      events = mergeContent(events);
      boolean bareLf = terminated.replace("\r\n", "").contains("\n");
      if (mode == BareNewlines.REJECT && bareLf) {
        assertThat(events).doesNotContain("end-of-data").last().isEqualTo("violation:BARE_LF");
      } else {
        assertThat(events).containsExactly("content:" + unstuffedNormalized(terminated),
            "end-of-data");
      }
    }
  }

  /** The reference: each line (CRLF or LF ended) with a leading "." of a longer line removed. */
  private static String unstuffedNormalized(String terminated) {
    StringBuilder content = new StringBuilder();
    for (int at = 0; at < terminated.length(); ) {
      int lf = terminated.indexOf('\n', at);
      String line = terminated.substring(at, lf);
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      content.append(line.length() > 1 && line.startsWith(".") ? line.substring(1) : line)
          .append("\r\n");
      at = lf + 1;
    }
    return content.toString();
  }

  @Provide
  Arbitrary<String> smugglingBodies() {
    return Arbitraries.of("\n.\n", "\n.\r\n", "\r\n.\n", "\r\n", "\n", ".", "..", "text",
            "MAIL FROM:<evil@x>\r\nRCPT TO:<v@y>\r\nDATA\r\n")
        .list().ofMaxSize(16).map(parts -> String.join("", parts));
  }

  /**
   * Hostile byte streams, cut at random, against a session that accepts or refuses at random,
   * resuming synchronously or later: the decoder never throws, never emits what the state the
   * session asked for forbids, ends DATA at most once per 354, and stays within its memory bound.
   */
  @Property(tries = 1000)
  void hostileStreamsKeepTheDecoderWithinItsModel(@ForAll("hostile") String input,
      @ForAll("cuts") List<Integer> cuts, @ForAll BareNewlines mode,
      @ForAll @Size(max = 8) List<Boolean> script, @ForAll boolean deferred) {
    fuzz(input, cuts, mode, script, deferred);
  }

  /** Inputs the fuzz property found or that pin a tricky path; each runs in every mode. */
  @Example
  void fuzzRegressions() {
    String[] inputs = {
        "DATA\r\n.\r",
        "DATA\r\n.\n.\r\n",
        "AUTH\r\n\r\n\r\nDATA\r\n..\r\n.\r\n",
        "STARTTLS\r\nDATA\r\n",
        "DATA\r\n" + "x".repeat(1200) + "\r\n.\r\nNOOP\r\n",
        "AUTH PLAIN\r\n" + "q".repeat(1200) + "\rNOOP\r\n",
        "AUTH PLAIN\r\n" + "q".repeat(1200) + "\nNOOP\r\n",
        "AUTH PLAIN\r\na\u0000b\r\nNOOP\r\n",
        "\u0016\u0003\u0001\r\n",
        "get / HTTP/1.0\r\n",
    };
    for (String input : inputs) {
      for (BareNewlines mode : BareNewlines.values()) {
        for (boolean deferred : new boolean[] {false, true}) {
          fuzz(input, List.of(), mode, List.of(true, false), deferred);
          fuzz(input, List.of(1, 1, 1, 1, 1, 1, 1, 1), mode, List.of(true), deferred);
        }
      }
    }
  }

  private static void fuzz(String input, List<Integer> cuts, BareNewlines mode,
      List<Boolean> script, boolean deferred) {
    Limits limits = new Limits(64, 100, 16);
    try (DecoderHarness smtp = new DecoderHarness(limits, mode)) {
      ScriptedSession session = new ScriptedSession(smtp.decoder, script, deferred);
      smtp.channel.pipeline().addLast(session);
      smtp.feedBounded(split(input.getBytes(StandardCharsets.ISO_8859_1), cuts));
      assertThat(session.modelViolations).isEmpty();
      assertThat(session.ends).isLessThanOrEqualTo(session.expectedData);
    }
  }

  @Provide
  Arbitrary<List<String>> messageLines() {
    Arbitrary<String> line = Arbitraries.strings()
        .withChars('.', '.', '.', 'a', 'Z', ' ', '\t', '\u0000', '\u00e9', '\u00ff')
        .ofMaxLength(40);
    return line.list().ofMaxSize(20);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(1, 12).list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> token = Arbitraries.of("DATA\r\n", "AUTH PLAIN\r\n", "STARTTLS\r\n",
        "BDAT 3\r\n", "MAIL FROM:<a@b>\r\n", "NOOP\r\n", ".\r\n", "..x\r\n", "\r\n", "\n",
        "\r", ".", "\n.\n", "\r\n.\r\n", "\r\n.\n", "\n.\r\n", "\u0000", "\u0016", "GET / \r\n",
        "x".repeat(70), "y".repeat(120), "body line\r\n", "*\r\n");
    return token.list().ofMaxSize(30).map(parts -> String.join("", parts));
  }

  /** The bytes cut into pieces of the given lengths (cycled); the rest as the last piece. */
  static List<byte[]> split(byte[] bytes, List<Integer> cuts) {
    List<byte[]> pieces = new ArrayList<>();
    int at = 0;
    for (int i = 0; at < bytes.length; i++) {
      int length = cuts.isEmpty() ? bytes.length : cuts.get(i % cuts.size());
      int end = Math.min(bytes.length, at + length);
      pieces.add(java.util.Arrays.copyOfRange(bytes, at, end));
      at = end;
    }
    return pieces;
  }

  /** Merges consecutive "content:" events (chunks of one read or of several). */
  static List<String> mergeContent(List<String> events) {
    List<String> merged = new ArrayList<>();
    for (String event : events) {
      int last = merged.size() - 1;
      if (event.startsWith("content:") && last >= 0 && merged.get(last).startsWith("content:")) {
        merged.set(last, merged.get(last) + event.substring("content:".length()));
      } else {
        merged.add(event);
      }
    }
    return merged;
  }
}
