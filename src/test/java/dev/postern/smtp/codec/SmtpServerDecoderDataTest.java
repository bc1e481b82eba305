package dev.postern.smtp.codec;

import static dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines.NORMALIZE;
import static dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.smtp.codec.SmtpServerDecoder.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Mail data after 354: dot-stuffing (RFC 5321 §4.5.2), end of data, chunks, line limits. */
class SmtpServerDecoderDataTest {

  /** A harness past "DATA" and its 354, ready for content. */
  static DecoderHarness inData(SmtpServerDecoder.BareNewlines mode) {
    return inData(new DecoderHarness(mode));
  }

  static DecoderHarness inData(DecoderHarness smtp) {
    assertThat(smtp.write("DATA\r\n")).containsExactly("DATA");
    smtp.decoder.expectData();
    assertThat(smtp.drain()).isEmpty();
    return smtp;
  }

  @Test
  void theCrlfBeforeTheDotIsContentAndTheDotLineIsNot() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("Subject: hi\r\n\r\nbody\r\n.\r\n"))
          .containsExactly("content:Subject: hi\r\n\r\nbody\r\n", "end-of-data");
      assertThat(smtp.buffered()).isZero();
    }
  }

  @Test
  void anEmptyMessageIsJustTheEnd() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write(".\r\n")).containsExactly("end-of-data");
    }
  }

  @Test
  void removesTheStuffedLeadingDot() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("..x\r\n..\r\n.y\r\n...\r\na.b\r\n.\r\n"))
          .containsExactly("content:.x\r\n.\r\ny\r\n..\r\na.b\r\n", "end-of-data");
    }
  }

  @Test
  void aDotAtTheStartOfAReadMidLineIsContent() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("abc")).containsExactly("content:abc");
      assertThat(smtp.write(".\r\n.")).containsExactly("content:.\r\n");
      assertThat(smtp.write("\r")).isEmpty();
      assertThat(smtp.write("\n")).containsExactly("end-of-data");
    }
  }

  @Test
  void aMessageSplitByteByByteGivesTheSameContentAsOneWrite() {
    String wire = "From: a@b\r\n\r\n..dot\r\nline\r\n.\r\n";
    List<String> whole;
    try (DecoderHarness smtp = inData(REJECT)) {
      whole = smtp.write(wire);
    }
    try (DecoderHarness smtp = inData(REJECT)) {
      List<String> events = smtp.writeByteByByte(wire);
      assertThat(SmtpServerDecoderPropertiesTest.mergeContent(events)).isEqualTo(whole);
    }
    assertThat(whole).containsExactly("content:From: a@b\r\n\r\n.dot\r\nline\r\n", "end-of-data");
  }

  @Test
  void chunksNeverExceedTheLimitAndTheMessageIsNeverHeldWhole() {
    Limits limits = new Limits(512, 1000, 100);
    try (DecoderHarness smtp = inData(new DecoderHarness(limits, REJECT))) {
      String line = "x".repeat(998) + "\r\n";
      StringBuilder content = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        assertThat(smtp.write(line)).containsExactly("content:" + line);
        assertThat(smtp.buffered()).isZero();
        content.append(line);
      }
      assertThat(smtp.write(".\r\n")).containsExactly("end-of-data");
      assertThat(smtp.chunkSizes).allMatch(size -> size <= 100);
      assertThat(smtp.chunkSizes.stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(content.length());
    }
  }

  @Test
  void aLineOf1000OctetsIsContentAnd1001IsRefusedOnceThenTheEndOfDataStillComes() {
    try (DecoderHarness smtp = inData(REJECT)) {
      String longest = "y".repeat(998);
      assertThat(smtp.write(longest + "\r\n")).containsExactly("content:" + longest + "\r\n");
      assertThat(smtp.write("z".repeat(999) + "\r\nmore\r\n" + "w".repeat(5000) + "\r\n"))
          .containsExactly("violation:TEXT_LINE_TOO_LONG");
      assertThat(smtp.write(".\r\nNOOP\r\n")).containsExactly("end-of-data");
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("NOOP");
    }
  }

  @Test
  void aMegabyteDataLineIsRefusedWithoutBeingBuffered() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("B".repeat(512))).containsExactly("content:" + "B".repeat(512));
      byte[] kilobyte = "B".repeat(1024).getBytes(StandardCharsets.US_ASCII);
      List<String> events = new ArrayList<>();
      for (int i = 0; i < 1024; i++) {
        events.addAll(smtp.write(kilobyte));
        assertThat(smtp.buffered()).isZero();
      }
      assertThat(events).containsExactly("violation:TEXT_LINE_TOO_LONG");
      assertThat(smtp.write("\r\n.\r\n")).containsExactly("end-of-data");
    }
  }

  @Test
  void nulOctetsInsideDataAreKeptRaw() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("a\u0000b\r\n.\r\n"))
          .containsExactly("content:a\u0000b\r\n", "end-of-data");
    }
  }

  @Test
  void eightBitOctetsAreKeptRaw() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("caf\u00e9 \u00ff\r\n.\r\n"))
          .containsExactly("content:caf\u00e9 \u00ff\r\n", "end-of-data");
    }
  }

  @Test
  void aBareLineFeedInDataIsRefusedAndTheMessageNeverEnds() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("one\ntwo\r\n.\r\n")).containsExactly("content:one",
          "violation:BARE_LF");
      assertThat(smtp.write("NOOP\r\n.\r\n")).isEmpty();
    }
  }

  @Test
  void normalizeReadsABareLineFeedInDataAsCrlfAndStillUnstuffs() {
    try (DecoderHarness smtp = inData(NORMALIZE)) {
      assertThat(smtp.write("one\n..two\nthree\r\n.\r\n"))
          .containsExactly("content:one\r\n.two\r\nthree\r\n", "end-of-data");
    }
  }

  /**
   * SMTP smuggling (TESTING.md SMTP 1): every non-standard end of data followed by a complete
   * second transaction. In reject mode each is a fatal violation: no end of data, no command.
   */
  @ParameterizedTest
  @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r", "\n..\n"})
  void smugglingEndsAreRefusedInRejectMode(String fakeEnd) {
    try (DecoderHarness smtp = inData(REJECT)) {
      List<String> events = smtp.write("Subject: one\r\n\r\nfirst" + fakeEnd + smuggled());
      assertThat(events).last().isIn("violation:BARE_LF", "violation:LONE_CR");
      assertThat(events).doesNotContain("end-of-data").noneMatch(e -> e.startsWith("MAIL"));
      assertThat(smtp.write("\r\n.\r\n")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r\n.\n"})
  void smugglingEndsAreContentInNormalizeModeAndOnlyTheRealEndEndsTheMessage(String fakeEnd) {
    try (DecoderHarness smtp = inData(NORMALIZE)) {
      List<String> events = smtp.write("first" + fakeEnd + smuggled() + "\r\n.\r\nQUIT\r\n");
      assertThat(events).hasSize(2);
      assertThat(events.get(0)).startsWith("content:first\r\n.\r\nMAIL FROM:<evil@x>\r\n")
          .endsWith("smuggled\r\n\r\n");
      assertThat(events.get(1)).isEqualTo("end-of-data");
      assertThat(smtp.drain()).isEmpty();
    }
  }

  @Test
  void aLoneCarriageReturnBeforeADotIsRefusedInNormalizeModeToo() {
    try (DecoderHarness smtp = inData(NORMALIZE)) {
      assertThat(smtp.write("first\r.\r\n" + smuggled())).containsExactly("content:first",
          "violation:LONE_CR");
    }
  }

  @Test
  void aDotLineAfterABareLineFeedThenARealEndIsStillOneMessage() {
    try (DecoderHarness smtp = inData(NORMALIZE)) {
      assertThat(smtp.write("a\n.\r\n.\r\n"))
          .containsExactly("content:a\r\n.\r\n", "end-of-data");
    }
  }

  @Test
  void aDotEndedByABareLineFeedAtTheStartOfDataIsContentInNormalizeMode() {
    try (DecoderHarness smtp = inData(NORMALIZE)) {
      assertThat(smtp.write(".\nx\r\n.\r\n")).containsExactly("content:.\r\nx\r\n",
          "end-of-data");
    }
  }

  @Test
  void aConnectionEndingInsideDataNeverEndsTheMessage() {
    try (DecoderHarness smtp = inData(REJECT)) {
      assertThat(smtp.write("partial\r\n.")).containsExactly("content:partial\r\n");
      smtp.channel.finish();
      assertThat(smtp.drain()).doesNotContain("end-of-data");
    }
  }

  static String smuggled() {
    return "MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nsmuggled\r\n";
  }
}
