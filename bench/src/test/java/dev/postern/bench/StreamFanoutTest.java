package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamFanoutTest {

  @Test
  void theMessageIdIsFoundWithoutAParseWhenPlainAndParsedOtherwise() {
    assertThat(StreamFanout.messageIdOf("{\"id\":\"x\",\"message_id\":\"<a@b.test>\",\"from\":\"c\"}"))
        .isEqualTo("<a@b.test>");
    // Escaped: the JSON is parsed.
    assertThat(StreamFanout.messageIdOf("{\"message_id\":\"<a\\\"q@b.test>\"}"))
        .isEqualTo("<a\"q@b.test>");
    // Spaced differently or absent: parsed.
    assertThat(StreamFanout.messageIdOf("{\"message_id\" : \"<s@b.test>\"}")).isEqualTo("<s@b.test>");
    assertThat(StreamFanout.messageIdOf("{\"message_id\":null}")).isEmpty();
    assertThat(StreamFanout.bare(StreamFanout.messageIdOf("{\"message_id\":\"<a@b.test>\"}")))
        .isEqualTo("a@b.test");
  }
}
