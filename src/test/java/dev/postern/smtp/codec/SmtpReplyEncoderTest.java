package dev.postern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.smtp.DefaultSmtpResponse;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reply lines (RFC 5321 §4.2, §4.2.1) and refusal of anything that could inject one. */
class SmtpReplyEncoderTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyEncoder());

  private String encode(SmtpResponse reply) {
    assertThat(channel.writeOutbound(reply)).isTrue();
    ByteBuf out = channel.readOutbound();
    try {
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      out.release();
    }
  }

  @Test
  void aSingleLineReply() {
    assertThat(encode(new DefaultSmtpResponse(250, "2.0.0 OK"))).isEqualTo("250 2.0.0 OK\r\n");
  }

  @Test
  void aMultiLineReplyUsesHyphensUntilTheLastLine() {
    assertThat(encode(new DefaultSmtpResponse(250, "mail.example", "PIPELINING", "SIZE 1000")))
        .isEqualTo("250-mail.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n");
  }

  @Test
  void aReplyWithoutTextIsTheBareCode() {
    assertThat(encode(new DefaultSmtpResponse(354))).isEqualTo("354\r\n");
    assertThat(encode(new DefaultSmtpResponse(250, "first", ""))).isEqualTo("250-first\r\n250\r\n");
  }

  @Test
  void utf8TextIsWrittenAsUtf8() {
    assertThat(encode(new DefaultSmtpResponse(250, "2.1.5 jöran ok")))
        .isEqualTo("250 2.1.5 jöran ok\r\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ok\r\n250 injected", "ok\n", "ok\r", "nul\u0000", "bell\u0007"})
  void textThatCouldBreakTheReplyLineIsRefusedAndNothingIsWritten(String text) {
    assertThatThrownBy(() -> channel.writeOutbound(new DefaultSmtpResponse(250, "fine", text)))
        .isInstanceOf(EncoderException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat((Object) channel.readOutbound()).isNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {-250, 0, 99, 100, 199, 260, 600, 1250})
  void codesOutsideTheGrammarAreRefused(int code) {
    assertThatThrownBy(() -> channel.writeOutbound(new AnyReply(code, List.of("x"))))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat((Object) channel.readOutbound()).isNull();
  }

  /** A reply the library's DefaultSmtpResponse would not build (it checks 100..599 only). */
  private record AnyReply(int code, List<CharSequence> details) implements SmtpResponse {
  }

  @Test
  void theEncoderIsShareableAcrossConnections() {
    SmtpReplyEncoder shared = new SmtpReplyEncoder();
    EmbeddedChannel other = new EmbeddedChannel(shared);
    EmbeddedChannel another = new EmbeddedChannel(shared);
    assertThat(other.writeOutbound(new DefaultSmtpResponse(221, "bye"))).isTrue();
    assertThat(another.writeOutbound(new DefaultSmtpResponse(221, "bye"))).isTrue();
    other.finishAndReleaseAll();
    another.finishAndReleaseAll();
  }
}
