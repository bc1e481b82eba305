package dev.postern.inbound.accept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.parse.ClearFacts;
import dev.postern.inbound.parse.ParsedMail;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A NUL decoded from an RFC 2047 word never reaches jsonb (PostgreSQL refuses it). */
class StorableClearFactsTest {

  @Test
  void aNulDecodedFromAnEncodedWordBecomesTheReplacementCharacter() {
    JsonObject facts = ClearFacts.of(List.of(
        new ParsedMail.HeaderField("From", "=?utf-8?q?evil=00name?= <x@y.example>"),
        new ParsedMail.HeaderField("To", "a@hosted.example")));
    assertThat(facts.getString("from_name")).contains("\u0000");
    JsonObject stored = InboundAcceptor.storable(facts);
    assertThat(stored.getString("from_name")).isEqualTo("evil\uFFFDname");
    assertThat(stored.encode()).doesNotContain("\\u0000");
    assertThat(stored.getJsonArray("to").getString(0)).isEqualTo("a@hosted.example");
    assertThat(stored.getString("from_address")).isEqualTo("x@y.example");
  }
}
