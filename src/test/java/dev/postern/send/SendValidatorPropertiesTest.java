package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * TESTING.md "Fuzzing and properties": the JSON send validator. Any bytes and any JSON shape end
 * in a value or a 400 {@code validation_error}; never another exception (no 500).
 */
class SendValidatorPropertiesTest {

  private static final List<String> FIELDS = List.of("from", "to", "cc", "bcc", "reply_to",
      "subject", "text", "html", "headers", "attachments", "tags", "in_reply_to", "scheduled_at",
      "id", "status");

  private final RequestJson json = new RequestJson();
  private final SendRequestParser parser = new SendRequestParser(ComposedMail.CLOCK);

  @Property(tries = 3000)
  void anyBytesDecodeOrFailWithValidationError(@ForAll("jsonish") String text,
      @ForAll byte[] noise) {
    for (byte[] body : List.of(text.getBytes(StandardCharsets.UTF_8), noise,
        text.getBytes(StandardCharsets.UTF_16))) {
      try {
        json.value(Buffer.buffer(body));
      } catch (Refusal e) {
        assertThat(e.reason()).isEqualTo(Reason.INVALID);
        assertThat(e.issues()).extracting(Issue::path).containsExactly("body");
      }
    }
  }

  @Property(tries = 3000)
  void anyJsonShapeParsesOrFailsWithValidationError(
      @ForAll("shapes") List<Object> values) {
    JsonObject body = new JsonObject();
    for (int i = 0; i < values.size() && i < FIELDS.size(); i++) {
      body.put(FIELDS.get(i), values.get(i));
    }
    try {
      SendRequest request = parser.parse(body);
      assertThat(request.envelopeRecipients()).isNotEmpty().hasSizeLessThanOrEqualTo(100);
      ComposedMail.of(request).assertWellFormedLines();
    } catch (Refusal e) {
      assertThat(e.reason()).isEqualTo(Reason.INVALID);
      assertThat(e.issues()).isNotEmpty();
    }
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings()
        .withChars("{}[]\":,0123456789.eE+-truefalsn \\u/dD8\n\t".toCharArray())
        .ofMaxLength(80);
  }

  @Provide
  Arbitrary<List<Object>> shapes() {
    return value(3).list().ofMinSize(0).ofMaxSize(FIELDS.size());
  }

  private Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalars = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of("a@b.example", "Name <n@x.example>", "aGk=", "in 1 min", "x.txt",
            "2026-11-22T11:00:00Z", "<id@x>", "", "a\r\nb", "tag_1").map(o -> (Object) o),
        HostileText.any().map(o -> (Object) o),
        Arbitraries.longs().map(o -> (Object) o),
        Arbitraries.of(true, false).map(o -> (Object) o));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<Object> arrays = value(depth - 1).list().ofMaxSize(4)
        .map(l -> (Object) new JsonArray(new java.util.ArrayList<>(l)));
    Arbitrary<Object> objects = Arbitraries.of("filename", "content", "content_type", "name",
            "value", "X-Custom", "From", "path")
        .map(k -> k).list().ofMaxSize(3).flatMap(keys -> value(depth - 1).list()
            .ofSize(keys.size()).map(vals -> {
              JsonObject o = new JsonObject();
              for (int i = 0; i < keys.size(); i++) {
                o.put(keys.get(i), vals.get(i));
              }
              return (Object) o;
            }));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, scalars), net.jqwik.api.Tuple.of(2, arrays),
        net.jqwik.api.Tuple.of(2, objects));
  }
}
