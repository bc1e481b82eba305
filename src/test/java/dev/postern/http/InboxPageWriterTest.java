package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.inbox.MessagePage;
import dev.postern.inbound.inbox.MessageSummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The streamed page is byte for byte what the summaries' JSON trees encoded to. */
class InboxPageWriterTest {

  private static String expected(MessagePage page) {
    JsonArray messages = new JsonArray();
    page.messages().forEach(m -> messages.add(InboxJson.summary(m)));
    // As the route wrote it before (ApiRouter.json → JsonBodies).
    return JsonBodies.encode(new JsonObject().put("messages", messages)
        .put("next_cursor", InboxJson.time(page.nextCursor()))).toString();
  }

  @Test
  void sameBytesAsTheSummaryTrees() {
    List<MessageSummary> messages = new ArrayList<>();
    messages.add(new MessageSummary(UUID.randomUUID(), "a@b", "Ann \"Q\" O'Neil, Esq.", "ann@example.com",
        List.of("bot@bench.test", "Zoë <z@example.org>"), "Ünïcode \ud83d\ude00 \u2028 \"quoted\"\n",
        "line\r\nbreak\ttab \u0001 </script>", Instant.parse("2026-12-02T16:20:00.123456Z"), "inbox",
        true, false, true, 123_456_789_012L, UUID.randomUUID(), false));
    messages.add(new MessageSummary(UUID.randomUUID(), null, null, null, List.of(), null, null,
        Instant.parse("1970-01-01T00:00:00Z"), "sent", false, true, false, 0, null, true));
    messages.add(new MessageSummary(UUID.randomUUID(), "", "", "x@y.z", List.of("a@b.c"), "", "",
        Instant.parse("2026-01-31T23:59:59.999999Z"), "trash", false, false, false, 1, UUID.randomUUID(), false));
    for (Instant cursor : new Instant[] {null, Instant.parse("2026-12-02T16:20:00.000001Z")}) {
      MessagePage page = new MessagePage(messages, cursor);
      assertThat(InboxPageWriter.write(page).toString()).isEqualTo(expected(page));
    }
    MessagePage empty = new MessagePage(List.of(), null);
    assertThat(InboxPageWriter.write(empty).toString()).isEqualTo(expected(empty));
  }
}
