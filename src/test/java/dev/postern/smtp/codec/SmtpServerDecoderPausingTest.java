package dev.postern.smtp.codec;

import static dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines.REJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pipelining safety (RFC 2920 §3.1, RFC 3207 §4.2): the decoder waits for the session after
 * DATA, AUTH, STARTTLS, BDAT, a text line and the end of data.
 */
class SmtpServerDecoderPausingTest {

  @Test
  void pipelinedCommandsStopAtDataUntilThe354() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n"))
          .containsExactly("MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA");
      assertThat(smtp.drain()).isEmpty();
      smtp.decoder.expectData();
      assertThat(smtp.drain()).containsExactly("content:body\r\n", "end-of-data");
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("QUIT");
    }
  }

  @Test
  void aRefusedDataLetsTheFollowingBytesBeReadAsCommands() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("DATA\r\nRSET\r\n")).containsExactly("DATA");
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("RSET");
    }
  }

  @Test
  void commandsPipelinedAfterTheDotWaitForTheAnswerToTheMessage() {
    try (DecoderHarness smtp = SmtpServerDecoderDataTest.inData(REJECT)) {
      assertThat(smtp.write("x\r\n.\r\nMAIL FROM:<a@b>\r\n")).containsExactly("content:x\r\n",
          "end-of-data");
      assertThat(smtp.write("RCPT TO:<c@d>\r\n")).isEmpty();
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("MAIL FROM:<a@b>", "RCPT TO:<c@d>");
    }
  }

  @Test
  void authReadsOneLinePerChallengeThenCommandsAgain() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("AUTH LOGIN\r\ncG9zdGVybg==\r\nc2VjcmV0\r\nNOOP\r\n"))
          .containsExactly("AUTH LOGIN");
      smtp.decoder.expectLine();
      assertThat(smtp.drain()).containsExactly("line:cG9zdGVybg==");
      smtp.decoder.expectLine();
      assertThat(smtp.drain()).containsExactly("line:c2VjcmV0");
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("NOOP");
    }
  }

  @Test
  void aTextLineUpToTheTextLimitIsOneLineAndLongerIsRefusedThenCommandsResume() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("AUTH PLAIN\r\n")).containsExactly("AUTH PLAIN");
      smtp.decoder.expectLine();
      String longest = "Q".repeat(998);
      assertThat(smtp.write(longest + "\r\n")).containsExactly("line:" + longest);
      smtp.decoder.expectLine();
      assertThat(smtp.write("Q".repeat(10_000) + "\r\nNOOP\r\n"))
          .containsExactly("violation:TEXT_LINE_TOO_LONG");
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("NOOP");
    }
  }

  @Test
  void aCancelledAuthIsJustALine() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      smtp.write("AUTH LOGIN\r\n*\r\n");
      smtp.decoder.expectLine();
      assertThat(smtp.drain()).containsExactly("line:*");
    }
  }

  @Test
  void startTlsDropsWhatWasPipelinedInPlaintext() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("STARTTLS\r\nNOOP\r\nMAIL FROM:<a@b>\r\n"))
          .containsExactly("STARTTLS");
      smtp.decoder.discardBufferedAndExpectCommands();
      assertThat(smtp.drain()).isEmpty();
      assertThat(smtp.buffered()).isZero();
      assertThat(smtp.write("EHLO after.tls\r\n")).containsExactly("EHLO after.tls");
    }
  }

  @Test
  void aRefusedStartTlsDecodesWhatFollows() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("starttls\r\nNOOP\r\n")).containsExactly("STARTTLS");
      smtp.decoder.expectCommands();
      assertThat(smtp.drain()).containsExactly("NOOP");
    }
  }

  @Test
  void bdatPausesSoItsChunkIsNotReadAsCommands() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("BDAT 6 LAST\r\nRSET\r\n")).containsExactly("BDAT 6|LAST");
      assertThat(smtp.drain()).isEmpty();
    }
  }

  @Test
  void resumingWhenNotPausedIsABug() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThatThrownBy(smtp.decoder::expectData).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(smtp.decoder::expectCommands).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void resumingAfterAFatalViolationDoesNothing() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("DATA\r\n")).containsExactly("DATA");
      smtp.decoder.expectData();
      assertThat(smtp.write("a\nb")).containsExactly("content:a", "violation:BARE_LF");
      smtp.decoder.expectCommands();
      assertThat(smtp.write("NOOP\r\n")).isEmpty();
    }
  }

  @Test
  void tooMuchInputWhileWaitingIsRefusedAndDropped() {
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      assertThat(smtp.write("DATA\r\n")).containsExactly("DATA");
      int limit = smtp.decoder.pausedInputLimit();
      assertThat(smtp.write(new byte[limit])).isEmpty();
      assertThat(smtp.write(new byte[1])).containsExactly("violation:PIPELINED_INPUT_TOO_LARGE");
      assertThat(smtp.buffered()).isZero();
    }
  }

  /**
   * The handler the lead writes answers synchronously when it can: it calls expectData() from
   * inside channelRead, while the decoder is still decoding the same read. The bytes after DATA
   * must be decoded once, as content.
   */
  @Test
  void aHandlerResumingFromInsideChannelReadGetsEachByteDecodedOnce() {
    List<String> seen = new ArrayList<>();
    try (DecoderHarness smtp = new DecoderHarness(REJECT)) {
      smtp.channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof SmtpRequest request) {
            String verb = request.command().name().toString();
            seen.add(verb);
            if (verb.equals("DATA")) {
              smtp.decoder.expectData();
            }
          } else if (msg instanceof LastSmtpContent) {
            seen.add("end-of-data");
            smtp.decoder.expectCommands();
          } else if (msg instanceof SmtpContent content) {
            seen.add("content:" + content.content().toString(StandardCharsets.US_ASCII));
          }
          ReferenceCountUtil.release(msg);
        }
      });
      smtp.write("MAIL FROM:<a@b>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n");
      assertThat(seen).containsExactly("MAIL", "DATA", "content:hello\r\n", "end-of-data",
          "QUIT");
    }
  }
}
