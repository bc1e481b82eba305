package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.bench.SmtpReplyParser.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyParserTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void singleAndMultiLineRepliesInOneChunk() {
    var parser = new SmtpReplyParser();

    List<Reply> replies = parser.feed(b("220 postern ESMTP\r\n250-postern\r\n250-PIPELINING\r\n"
        + "250 AUTH PLAIN LOGIN\r\n"));

    assertThat(replies).containsExactly(new Reply(220, List.of("postern ESMTP")),
        new Reply(250, List.of("postern", "PIPELINING", "AUTH PLAIN LOGIN")));
  }

  @Test
  void aReplySplitAnywhereIsReturnedOnceItsLastLineIsComplete() {
    var parser = new SmtpReplyParser();

    assertThat(parser.feed(b("250-a\r"))).isEmpty();
    assertThat(parser.feed(b("\n25"))).isEmpty();
    assertThat(parser.feed(b("0 2.0.0 Ok: queued as 1f"))).isEmpty();
    assertThat(parser.feed(b("\r\n354"))).containsExactly(
        new Reply(250, List.of("a", "2.0.0 Ok: queued as 1f")));
    assertThat(parser.feed(b("\r\n"))).containsExactly(new Reply(354, List.of("")));
  }

  @Test
  void negativeCodesAreRepliesThatAreNotPositive() {
    Reply reply = new SmtpReplyParser().feed(b("550 5.7.1 sender not allowed\r\n")).get(0);

    assertThat(reply.code()).isEqualTo(550);
    assertThat(reply.positive()).isFalse();
    assertThat(new Reply(354, List.of()).positive()).isTrue();
  }

  @Test
  void garbageIsNotAReply() {
    assertThatThrownBy(() -> new SmtpReplyParser().feed(b("HTTP/1.1 400 Bad Request\r\n")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not an SMTP reply");
    assertThatThrownBy(() -> new SmtpReplyParser().feed(b("250xok\r\n")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new SmtpReplyParser().feed(b("250-a\r\n251 b\r\n")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("code changed");
  }
}
