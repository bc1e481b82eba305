package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ClearFacts#ofMessage}: the facts of a stored message's top-level header block. */
class ClearFactsTest {

  private static JsonObject of(String mime) {
    return ClearFacts.ofMessage(new ByteArrayInputStream(mime.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsTheTopLevelHeaderFoldedAndEncodedAndNotTheBody() {
    JsonObject facts = of("Message-ID: <m1@x.test>\r\nFrom: =?UTF-8?Q?Z=C3=B6e?= <zoe@x.test>\r\n"
        + "To: a@x.test,\r\n b@x.test\r\nCc: c@x.test\r\nIn-Reply-To: <p@x.test>\r\n"
        + "References: <r@x.test> <p@x.test>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
        + "Subject: secret\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        + "From: inner@x.test\r\nMessage-ID: <inner@x.test>\r\n\r\nbody\r\n--b--\r\n");
    assertThat(facts.getString("message_id")).isEqualTo("m1@x.test");
    assertThat(facts.getString("in_reply_to")).isEqualTo("p@x.test");
    assertThat(facts.getJsonArray("references")).isEqualTo(new JsonArray().add("r@x.test").add("p@x.test"));
    assertThat(facts.getString("from_address")).isEqualTo("zoe@x.test");
    assertThat(facts.getString("from_name")).isEqualTo("Zöe");
    assertThat(facts.getJsonArray("to")).isEqualTo(new JsonArray().add("a@x.test").add("b@x.test"));
    assertThat(facts.getJsonArray("cc")).isEqualTo(new JsonArray().add("c@x.test"));
    assertThat(facts.getString("date")).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(facts.encode()).doesNotContain("secret").doesNotContain("inner");
  }

  @Test
  void aHeaderBlockCutShortGivesTheFieldsBeforeTheCut() {
    JsonObject facts = of("Message-ID: <m2@x.test>\r\nFrom: a@x.test\r\nTo: b@");
    assertThat(facts.getString("message_id")).isEqualTo("m2@x.test");
    assertThat(facts.getString("from_address")).isEqualTo("a@x.test");
  }
}
