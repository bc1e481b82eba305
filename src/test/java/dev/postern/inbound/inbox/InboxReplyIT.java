package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.InboxSeed;
import dev.postern.support.InboxSeed.Filed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #14 item 3: POST /v1/inbox/messages/:id/reply through the one submission core. */
class InboxReplyIT {

  private static TestGateway gateway;
  private static InboxSeed seed;
  private static String botKey;
  private static String readOnlyKey;
  private static Filed first;
  private static Filed reply;
  private static Filed otherMessage;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    seed = new InboxSeed(gateway);
    UUID bot = seed.mailbox("bot@inbox.test", "plaintext");
    UUID other = seed.mailbox("other@inbox.test", "plaintext");
    botKey = key(new JsonObject().put("mailbox", "bot@inbox.test").put("scope", "full_access"));
    readOnlyKey = key(new JsonObject().put("mailbox", "bot@inbox.test").put("scope", "read_only"));
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    first = seed.file(bot, InboxSeed.mail().from("Carol", "carol@partner.test").to("bot@inbox.test")
        .subject("Quarterly invoice").messageId("q1@partner.test").receivedAt(t0));
    reply = seed.file(bot, InboxSeed.mail().from("Dave", "dave@partner.test").to("bot@inbox.test")
        .subject("Re: Quarterly invoice").text("Thanks!").messageId("q2@partner.test")
        .inReplyTo("q1@partner.test").references("q1@partner.test")
        .receivedAt(t0.plusSeconds(60)));
    otherMessage = seed.file(other, InboxSeed.mail().subject("Not yours").receivedAt(t0));
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
  }

  private static String key(JsonObject request) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", request.put("name", "k"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  @Test
  void replyGoesThroughTheSendPathWithThreadingHeaders() {
    HttpResponse<String> sent = gateway.withKey(botKey, "POST", "/v1/inbox/messages/" + reply.id() + "/reply",
        new JsonObject().put("text", "Got it, thanks."));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    assertThat(sent.headers().firstValue("X-RateLimit-Limit")).isPresent();
    String id = new JsonObject(sent.body()).getString("id");
    JsonObject email = new JsonObject(gateway.withKey(botKey, "GET", "/v1/emails/" + id, null).body());
    assertThat(email.getString("subject")).isEqualTo("Re: Quarterly invoice");
    assertThat(email.getJsonArray("to")).containsExactly("dave@partner.test");
    assertThat(email.getString("from")).isEqualTo("bot@inbox.test");
    String mime = seed.text("SELECT convert_from(mime_inline, 'UTF8') FROM outbound_messages WHERE id = $1",
        UUID.fromString(id));
    assertThat(mime).contains("In-Reply-To: <q2@partner.test>\r\n")
        .contains("References: <q1@partner.test>\r\n <q2@partner.test>\r\n")
        .contains("Got it, thanks.");

    HttpResponse<String> first = gateway.withKey(botKey, "POST", "/v1/inbox/messages/" + first().id() + "/reply",
        new JsonObject().put("html", "<p>ok</p>").put("subject", "Custom"));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(gateway.withKey(readOnlyKey, "POST", "/v1/inbox/messages/" + reply.id() + "/reply",
        new JsonObject().put("text", "x")).statusCode()).isEqualTo(403);
    assertThat(gateway.withKey(botKey, "POST", "/v1/inbox/messages/" + otherMessage.id() + "/reply",
        new JsonObject().put("text", "x")).statusCode()).isEqualTo(404);
    assertThat(gateway.withKey(botKey, "POST", "/v1/inbox/messages/" + reply.id() + "/reply",
        new JsonObject()).statusCode()).isEqualTo(400);
  }

  private static Filed first() {
    return first;
  }
}
