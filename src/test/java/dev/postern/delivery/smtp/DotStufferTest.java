package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class DotStufferTest {

  private static String run(String... chunks) {
    DotStuffer stuffer = new DotStuffer();
    Buffer out = Buffer.buffer();
    for (String c : chunks) {
      out.appendBuffer(stuffer.stuff(Buffer.buffer(c)));
    }
    return out.appendBuffer(stuffer.terminator()).toString();
  }

  @Test
  void doublesLeadingDotsIncludingAcrossChunkBoundaries() {
    assertThat(run(".first\r\nmid.dle\r\n..two\r\n")).isEqualTo("..first\r\nmid.dle\r\n...two\r\n.\r\n");
    assertThat(run("a\r\n", ".b\r", "\n.", "\r\n")).isEqualTo("a\r\n..b\r\n..\r\n.\r\n");
  }

  @Test
  void aLoneDotLineCannotEndTheMessageEarly() {
    assertThat(run("x\r\n.\r\ny\r\n")).isEqualTo("x\r\n..\r\ny\r\n.\r\n");
  }

  @Test
  void bareLineFeedsBecomeCrlf() {
    assertThat(run("a\nb\r\n", "\nc")).isEqualTo("a\r\nb\r\n\r\nc\r\n.\r\n");
  }

  @Test
  void terminatorCompletesTheLastLine() {
    assertThat(run("no newline")).isEqualTo("no newline\r\n.\r\n");
    assertThat(run("ends in cr\r")).isEqualTo("ends in cr\r\n.\r\n");
    assertThat(run()).isEqualTo(".\r\n");
  }

  @Test
  void aChunkThatNeedsNothingIsHandedBackUncopied() {
    DotStuffer stuffer = new DotStuffer();
    Buffer clean = Buffer.buffer("Subject: hi\r\n\r\nbody. line\r\n");
    assertThat(stuffer.stuff(clean)).isSameAs(clean);
    Buffer next = Buffer.buffer(".starts a line\r\n");
    assertThat(stuffer.stuff(next).toString()).isEqualTo("..starts a line\r\n");
  }
}
