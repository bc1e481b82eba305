package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyParserTest {

  private final List<SmtpReply> replies = new ArrayList<>();
  private final ReplyParser parser = new ReplyParser(replies::add);

  @Test
  void multiLineReplySplitAcrossReadsIsOneReply() {
    parser.feed(Buffer.buffer("250-relay.example\r\n250-PIPE"));
    parser.feed(Buffer.buffer("LINING\r\n250 SIZE 1000\r"));
    assertThat(replies).isEmpty();
    parser.feed(Buffer.buffer("\n"));
    assertThat(replies).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo(250);
      assertThat(r.lines()).containsExactly("relay.example", "PIPELINING", "SIZE 1000");
      assertThat(r.toString()).isEqualTo("250-relay.example\n250-PIPELINING\n250 SIZE 1000");
    });
  }

  @Test
  void pipelinedRepliesInOneReadComeOutInOrder() {
    parser.feed(Buffer.buffer("250 2.1.0 ok\r\n451 4.3.0 later\r\n550 5.1.1 unknown\r\n"));
    assertThat(replies).extracting(SmtpReply::code).containsExactly(250, 451, 550);
    assertThat(replies.get(2).toString()).isEqualTo("550 5.1.1 unknown");
  }

  @Test
  void bareCodeWithoutTextIsAReply() {
    parser.feed(Buffer.buffer("354\r\n"));
    assertThat(replies).singleElement().extracting(SmtpReply::code).isEqualTo(354);
  }

  @Test
  void rejectsGarbageAndEndlessLines() {
    assertThatThrownBy(() -> parser.feed(Buffer.buffer("HTTP/1.1 400 Bad\r\n")))
        .isInstanceOf(SmtpProtocolException.class);
    ReplyParser fresh = new ReplyParser(replies::add);
    assertThatThrownBy(() -> fresh.feed(Buffer.buffer("2".repeat(ReplyParser.MAX_LINE + 1))))
        .isInstanceOf(SmtpProtocolException.class);
  }

  @Test
  void rejectsCodeChangingInsideAMultiLineReply() {
    assertThatThrownBy(() -> parser.feed(Buffer.buffer("250-a\r\n251 b\r\n")))
        .isInstanceOf(SmtpProtocolException.class);
  }

  @Test
  void ehloCapabilitiesAreParsed() {
    parser.feed(Buffer.buffer("250-relay\r\n250-PIPELINING\r\n250-SIZE 2048\r\n250-AUTH PLAIN login\r\n250 STARTTLS\r\n"));
    EhloCapabilities caps = EhloCapabilities.parse(replies.get(0));
    assertThat(caps.pipelining()).isTrue();
    assertThat(caps.startTls()).isTrue();
    assertThat(caps.sizeLimit()).isEqualTo(2048);
    assertThat(caps.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN");
  }
}
