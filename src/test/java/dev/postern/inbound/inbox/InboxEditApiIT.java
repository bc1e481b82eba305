package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.InboxSeed;
import dev.postern.support.InboxSeed.Filed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #14 item 3 ("Act") over real HTTP: PATCH (is_read, is_starred, folder) and DELETE (to
 * trash) through the mail store, their 400s, the no-op, the access rules (scope, BOLA, dot
 * segments), the standard tier (flags and folders change, bodies stay unreadable) and the
 * {@code email_updated} events the store's change log puts on the live stream.
 */
class InboxEditApiIT {

  private static TestGateway gateway;
  private static InboxSeed seed;
  private static UUID bot;
  private static UUID vault;
  private static String botKey;
  private static String readOnlyKey;
  private static String otherKey;
  private static String vaultKey;
  private static String domainKey;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    seed = new InboxSeed(gateway);
    bot = seed.mailbox("bot@edit.test", "plaintext");
    seed.mailbox("other@edit.test", "plaintext");
    vault = seed.mailbox("vault@edit.test", "standard");
    botKey = key(new JsonObject().put("mailbox", "bot@edit.test").put("scope", "full_access"));
    readOnlyKey = key(new JsonObject().put("mailbox", "bot@edit.test").put("scope", "read_only"));
    otherKey = key(new JsonObject().put("mailbox", "other@edit.test").put("scope", "full_access"));
    vaultKey = key(new JsonObject().put("mailbox", "vault@edit.test").put("scope", "full_access"));
    domainKey = key(new JsonObject().put("domain", "edit.test").put("scopes", new JsonArray().add("inbox:read").add("inbox:write")));
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

  private static Filed arrive(UUID mailbox, String subject) {
    return seed.file(mailbox, InboxSeed.mail().subject(subject).text("body of " + subject)
        .receivedAt(Instant.now()));
  }

  private static HttpResponse<String> patch(String key, Filed message, String body) {
    return gateway.send("PATCH", "/v1/inbox/messages/" + message.id(), body,
        Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
  }

  private static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static long changeSeq(UUID mailbox) {
    return Long.parseLong(seed.text("SELECT change_seq FROM mailboxes WHERE id = $1", mailbox));
  }

  @Test
  void patchMarksReadAndUnreadAndAnswersTheMessageInTheReadShape() {
    Filed m = arrive(bot, "mark me");
    JsonObject read = ok(patch(botKey, m, "{\"is_read\": true}"));
    assertThat(read.getString("id")).isEqualTo(m.id().toString());
    assertThat(read.getBoolean("is_read")).isTrue();
    assertThat(read.getBoolean("is_starred")).isFalse();
    assertThat(read.getString("text")).isEqualTo("body of mark me");
    assertThat(read.containsKey("headers")).isTrue();
    assertThat(seed.text("SELECT flags::text FROM mail_messages WHERE id = $1", m.id())).isEqualTo("{\"\\\\Seen\"}");

    // Asking for what already is changes nothing: no change seq is taken.
    long seq = changeSeq(bot);
    assertThat(ok(patch(botKey, m, "{\"is_read\": true}")).getBoolean("is_read")).isTrue();
    assertThat(changeSeq(bot)).isEqualTo(seq);

    assertThat(ok(patch(botKey, m, "{\"is_read\": false}")).getBoolean("is_read")).isFalse();
    assertThat(changeSeq(bot)).isEqualTo(seq + 1);
    assertThat(ok(gateway.withKey(botKey, "GET", "/v1/inbox/messages/" + m.id(), null)).getBoolean("is_read")).isFalse();
  }

  @Test
  void starAndMoveInOneRequestAreTwoChangesInOneCommit() {
    Filed m = arrive(bot, "star and move");
    long seq = changeSeq(bot);
    JsonObject moved = ok(patch(botKey, m, "{\"is_starred\": true, \"folder\": \"Projects/Ω 2026\"}"));
    assertThat(moved.getBoolean("is_starred")).isTrue();
    assertThat(moved.getString("folder")).isEqualTo("Projects/Ω 2026");
    assertThat(changeSeq(bot)).isEqualTo(seq + 2);
    assertThat(seed.text("SELECT string_agg(kind, ',' ORDER BY seq) FROM mail_changes WHERE message_id = $1", m.id()))
        .isEqualTo("new,updated,moved");
    String inbox = ok(gateway.withKey(botKey, "GET", "/v1/inbox/messages?limit=100", null)).encode();
    assertThat(inbox).doesNotContain(m.id().toString());
    String folder = ok(gateway.withKey(botKey, "GET", "/v1/inbox/messages?folder=Projects/%CE%A9%202026", null)).encode();
    assertThat(folder).contains(m.id().toString());
  }

  @Test
  void anEmptyBodyIsANoOpOnceTheMessageIsFound() {
    Filed m = arrive(bot, "no op");
    long seq = changeSeq(bot);
    for (String body : new String[] {null, "", "  ", "{}", "{\"unknown\": 1}"}) {
      JsonObject answer = ok(patch(botKey, m, body));
      assertThat(answer).as(String.valueOf(body)).isEqualTo(new JsonObject().put("ok", true).put("no_op", true));
    }
    assertThat(changeSeq(bot)).isEqualTo(seq);
    HttpResponse<String> unknown = gateway.send("PATCH", "/v1/inbox/messages/" + UUID.randomUUID(), "{}",
        Map.of("Authorization", "Bearer " + botKey, "Content-Type", "application/json"));
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void malformedBodiesAndWrongTypesAre400ValidationErrors() {
    Filed m = arrive(bot, "bad bodies");
    long seq = changeSeq(bot);
    Map<String, List<String>> cases = Map.of(
        "{\"is_read\": ", List.of("body"),
        "[true]", List.of("body"),
        "{\"is_read\": \"yes\", \"is_starred\": 1}", List.of("is_read", "is_starred"),
        "{\"is_read\": null}", List.of("is_read"),
        "{\"folder\": \"\"}", List.of("folder"),
        "{\"folder\": \"" + "x".repeat(65) + "\"}", List.of("folder"),
        "{\"folder\": 7}", List.of("folder"),
        "{\"folder\": \"a\\nb\"}", List.of("folder"),
        "{\"is_read\": true, \"is_read\": false}", List.of("body"));
    cases.forEach((body, paths) -> {
      HttpResponse<String> response = patch(botKey, m, body);
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      JsonObject error = new JsonObject(response.body());
      assertThat(error.getString("name")).as(body).isEqualTo("validation_error");
      assertThat(error.getJsonArray("issues").stream().map(i -> ((JsonObject) i).getString("path")).toList())
          .as(body).containsExactlyElementsOf(paths);
    });
    assertThat(changeSeq(bot)).isEqualTo(seq);
    // 64 characters is a folder name.
    assertThat(ok(patch(botKey, m, "{\"folder\": \"" + "y".repeat(64) + "\"}")).getString("folder")).hasSize(64);
  }

  @Test
  void deleteMovesToTrashAndAgainStaysThere() {
    Filed m = arrive(bot, "delete me");
    JsonObject trashed = ok(gateway.withKey(botKey, "DELETE", "/v1/inbox/messages/" + m.id(), null));
    assertThat(trashed.getString("folder")).isEqualTo("trash");
    assertThat(trashed.getString("id")).isEqualTo(m.id().toString());
    long seq = changeSeq(bot);
    assertThat(ok(gateway.withKey(botKey, "DELETE", "/v1/inbox/messages/" + m.id(), null)).getString("folder"))
        .isEqualTo("trash");
    assertThat(changeSeq(bot)).isEqualTo(seq);
    assertThat(ok(gateway.withKey(botKey, "GET", "/v1/inbox/messages?folder=trash", null)).encode())
        .contains(m.id().toString());
    // A domain-bound key names the mailbox.
    Filed n = arrive(bot, "delete by domain key");
    assertThat(ok(gateway.withKey(domainKey, "DELETE", "/v1/inbox/messages/" + n.id() + "?mailbox=bot@edit.test", null))
        .getString("folder")).isEqualTo("trash");
  }

  @Test
  void wrongScopeAnotherMailboxUnknownMalformedAndDotSegmentsAreRefused() {
    Filed m = arrive(bot, "guarded");
    assertThat(patch(readOnlyKey, m, "{\"is_read\": true}").statusCode()).isEqualTo(403);
    assertThat(gateway.withKey(readOnlyKey, "DELETE", "/v1/inbox/messages/" + m.id(), null).statusCode()).isEqualTo(403);
    String expected = null;
    for (String path : List.of("/v1/inbox/messages/" + m.id(), "/v1/inbox/messages/" + UUID.randomUUID(),
        "/v1/inbox/messages/not-a-uuid", "/v1/inbox/messages/" + m.id() + "/raw/%2e%2e")) {
      for (String method : List.of("PATCH", "DELETE")) {
        HttpResponse<String> response = gateway.send(method, path, method.equals("PATCH") ? "{\"is_read\": true}" : null,
            Map.of("Authorization", "Bearer " + otherKey));
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(404);
        JsonObject body = new JsonObject(response.body());
        body.remove("message");
        expected = expected == null ? body.encode() : expected;
        assertThat(body.encode()).as(method + " " + path).isEqualTo(expected);
      }
    }
    assertThat(seed.text("SELECT folder || ' ' || flags::text FROM mail_messages WHERE id = $1", m.id()))
        .isEqualTo("inbox {}");
    // The dot segment is refused for the owner too.
    assertThat(gateway.send("DELETE", "/v1/inbox/messages/" + m.id() + "/raw/%2e%2e", null,
        Map.of("Authorization", "Bearer " + botKey)).statusCode()).isEqualTo(404);
  }

  @Test
  void aStandardTierMailboxIsMarkedAndMovedButItsBodiesStayUnreadable() {
    Filed sealed = seed.file(vault, InboxSeed.mail().subject("secret").encrypted().receivedAt(Instant.now()));
    JsonObject marked = ok(patch(vaultKey, sealed, "{\"is_read\": true, \"is_starred\": true}"));
    assertThat(marked.getBoolean("is_read")).isTrue();
    assertThat(marked.getBoolean("is_starred")).isTrue();
    assertThat(marked.getValue("subject")).isNull();
    assertThat(marked.containsKey("text")).isFalse();
    assertThat(ok(gateway.withKey(vaultKey, "DELETE", "/v1/inbox/messages/" + sealed.id(), null)).getString("folder"))
        .isEqualTo("trash");
    HttpResponse<String> read = gateway.withKey(vaultKey, "GET", "/v1/inbox/messages/" + sealed.id(), null);
    assertThat(read.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(read.body()).getString("name")).isEqualTo("mailbox_not_api_readable");
  }

  @Test
  void editsAreEmailUpdatedEventsOnTheStream() throws Exception {
    UUID box = seed.mailbox("watched@edit.test", "plaintext");
    String key = key(new JsonObject().put("mailbox", "watched@edit.test").put("scope", "full_access"));
    Filed m = arrive(box, "watched");
    try (InboxStreamIT.JavaSse stream = InboxStreamIT.JavaSse.open(gateway.baseUrl(), key, null)) {
      stream.next("connected");
      ok(patch(key, m, "{\"is_read\": true}"));
      JsonObject updated = stream.next("email_updated");
      JsonObject data = new JsonObject(updated.getString("data"));
      assertThat(data.getString("id")).isEqualTo(m.id().toString());
      assertThat(data.getString("change")).isEqualTo("updated");
      assertThat(data.getBoolean("is_read")).isTrue();
      assertThat(updated.getString("id")).isEqualTo(Long.toString(changeSeq(box)));

      ok(gateway.withKey(key, "DELETE", "/v1/inbox/messages/" + m.id(), null));
      JsonObject moved = new JsonObject(stream.next("email_updated").getString("data"));
      assertThat(moved.getString("change")).isEqualTo("moved");
      assertThat(moved.getString("folder")).isEqualTo("trash");
    }
  }
}
