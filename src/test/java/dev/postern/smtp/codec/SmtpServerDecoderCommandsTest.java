package dev.postern.smtp.codec;

import static dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines.NORMALIZE;
import static dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.smtp.SmtpCommand;
import io.netty.handler.codec.smtp.SmtpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Command lines: parsing, limits (RFC 5321 §4.5.3.1.4) and hostile input (TESTING.md SMTP). */
class SmtpServerDecoderCommandsTest {

  @Test
  void splitsParametersOnSpacesKeepingTokensAsSent() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("MAIL FROM:<a@b> SIZE=123 BODY=8BITMIME\r\nRCPT TO:<x@y>\r\n"))
          .containsExactly("MAIL FROM:<a@b>|SIZE=123|BODY=8BITMIME", "RCPT TO:<x@y>");
    }
  }

  @Test
  void upperCasesTheVerbToTheLibrarysCommand() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      smtp.channel.writeInbound(Unpooled.copiedBuffer("ehlo client.example\r\n",
          StandardCharsets.US_ASCII));
      SmtpRequest request = smtp.channel.readInbound();
      assertThat(request.command()).isEqualTo(SmtpCommand.EHLO);
      assertThat(request.parameters()).containsExactly("client.example");
    }
  }

  @Test
  void unknownVerbsAndAClientsOddSpacingStillBecomeRequests() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("XYZZY  a   b \r\nMAIL FROM: <a@b>\r\nquit\r\n"))
          .containsExactly("XYZZY a|b", "MAIL FROM:|<a@b>", "QUIT");
    }
  }

  @Test
  void anEmptyLineIsARequestWithTheEmptyCommand() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      smtp.channel.writeInbound(Unpooled.copiedBuffer("\r\n   \r\n", StandardCharsets.US_ASCII));
      SmtpRequest empty = smtp.channel.readInbound();
      SmtpRequest spaces = smtp.channel.readInbound();
      assertThat(empty.command()).isEqualTo(SmtpCommand.EMPTY);
      assertThat(empty.parameters()).isEmpty();
      assertThat(spaces.command()).isEqualTo(SmtpCommand.EMPTY);
      assertThat(spaces.parameters()).isEmpty();
    }
  }

  @Test
  void utf8PathsSurviveForSmtputf8() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      byte[] line = "RCPT TO:<jöran@exämple.org>\r\n".getBytes(StandardCharsets.UTF_8);
      assertThat(smtp.write(line)).containsExactly("RCPT TO:<jöran@exämple.org>");
    }
  }

  @Test
  void aCommandSplitByteByByteIsDecodedOnceWhole() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.writeByteByByte("NOOP\r\nRSET\r\n")).containsExactly("NOOP", "RSET");
      assertThat(smtp.buffered()).isZero();
    }
  }

  @Test
  void aCommandLineOf512OctetsIsAcceptedAnd513IsRefusedThenTheNextCommandRuns() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      String longest = "NOOP " + "x".repeat(512 - 2 - 5);
      assertThat(smtp.write(longest + "\r\n")).containsExactly(longest);
      assertThat(smtp.write(longest + "y\r\nRSET\r\n"))
          .containsExactly("violation:COMMAND_TOO_LONG", "RSET");
    }
  }

  @Test
  void aMegabyteWithoutNewlineIsRefusedOnceWithoutBeingBuffered() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      byte[] kilobyte = "A".repeat(1024).getBytes(StandardCharsets.US_ASCII);
      assertThat(smtp.write(kilobyte)).containsExactly("violation:COMMAND_TOO_LONG");
      for (int i = 1; i < 1024; i++) {
        assertThat(smtp.write(kilobyte)).isEmpty();
        assertThat(smtp.buffered()).isLessThanOrEqualTo(512);
      }
      assertThat(smtp.write("\r\nNOOP\r\n")).containsExactly("NOOP");
      assertThat(smtp.buffered()).isZero();
    }
  }

  @Test
  void aLineTooLongEndsOnlyAtItsOwnCrlfEvenWhenTheCrArrivesAlone() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("X".repeat(600) + "\r")).containsExactly("violation:COMMAND_TOO_LONG");
      assertThat(smtp.write("\nNOOP\r\n")).containsExactly("NOOP");
    }
  }

  @ParameterizedTest
  @EnumSource(SmtpServerDecoder.BareNewlines.class)
  void aNulOctetRefusesTheLineAndTheNextCommandRuns(SmtpServerDecoder.BareNewlines mode) {
    try (DecoderHarness smtp = new DecoderHarness(mode)) {
      assertThat(smtp.write("MAIL FROM:<a\u0000@b>\r\nNOOP\r\n"))
          .containsExactly("violation:NUL_BYTE", "NOOP");
    }
  }

  @Test
  void aBareLineFeedInACommandStopsTheDecoderForGood() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("EHLO x\r\nNOOP\nRSET\r\n"))
          .containsExactly("EHLO x", "violation:BARE_LF");
      assertThat(smtp.write("NOOP\r\n")).isEmpty();
      assertThat(smtp.buffered()).isZero();
    }
  }

  @Test
  void normalizeReadsABareLineFeedInACommandAsCrlf() {
    try (DecoderHarness smtp = new DecoderHarness(NORMALIZE)) {
      assertThat(smtp.write("EHLO printer\nMAIL FROM:<p@lan>\nNOOP\r\n"))
          .containsExactly("EHLO printer", "MAIL FROM:<p@lan>", "NOOP");
    }
  }

  @ParameterizedTest
  @EnumSource(SmtpServerDecoder.BareNewlines.class)
  void aLoneCarriageReturnStopsTheDecoderInEveryMode(SmtpServerDecoder.BareNewlines mode) {
    try (DecoderHarness smtp = new DecoderHarness(mode)) {
      assertThat(smtp.write("NOOP\rRSET\r\n")).containsExactly("violation:LONE_CR");
      assertThat(smtp.write("NOOP\r\n")).isEmpty();
    }
  }

  @Test
  void aCrlfSplitBetweenTwoReadsIsOneLineEnding() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("NOOP\r")).isEmpty();
      assertThat(smtp.write("\nRSET\r\n")).containsExactly("NOOP", "RSET");
    }
  }

  @Test
  void anHttpRequestIsRefusedAndTheConnectionClosed() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("GET / HTTP/1.1\r\nHost: mail.example\r\n\r\n"))
          .containsExactly("violation:HTTP_REQUEST");
      assertThat(smtp.buffered()).isZero();
    }
  }

  @Test
  void aTlsClientHelloOnThePlaintextPortIsRefusedAtItsFirstByte() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      byte[] clientHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03,
          0x03, 0x0a, 0x0d, (byte) 0x8f, 0x00, 0x0d, 0x0a};
      assertThat(smtp.write(clientHello)).containsExactly("violation:TLS_HANDSHAKE_ON_PLAINTEXT");
      assertThat(smtp.write(new byte[4096])).isEmpty();
      assertThat(smtp.buffered()).isZero();
    }
  }

  @Test
  void aHandshakeByteLaterOnIsJustAnUnknownVerb() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("NOOP\r\n\u0016\u0003\u0001\r\n"))
          .containsExactly("NOOP", "\u0016\u0003\u0001");
    }
  }

  @Test
  void violationsSayWhetherTheyCloseTheConnection() {
    assertThat(new SmtpViolation(SmtpViolation.Kind.BARE_LF, "x").closesConnection()).isTrue();
    assertThat(new SmtpViolation(SmtpViolation.Kind.COMMAND_TOO_LONG, "x").closesConnection())
        .isFalse();
  }
}
