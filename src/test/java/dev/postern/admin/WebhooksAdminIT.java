package dev.postern.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhooksAdminIT {

  static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  static HttpResponse<String> post(JsonObject body) {
    return gateway.admin("POST", "/admin/v1/webhooks", body);
  }

  static void assertIssue(HttpResponse<String> r, String path) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).getJsonArray("issues").stream().map(i -> ((JsonObject) i).getString("path")))
        .contains(path);
  }

  @Test
  void wholeLifecycleShowsTheSecretOnceAndKeepsItSealed() {
    HttpResponse<String> created = post(new JsonObject().put("url", "https://hooks.example.com/postern")
        .put("events", new JsonArray().add("email.delivered").add("email.bounced").add("email.delivered")));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject hook = json(created);
    String id = hook.getString("id");
    String secret = hook.getString("secret");
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
    assertThat(hook.getJsonArray("events")).containsExactly("email.delivered", "email.bounced");
    assertThat(hook.getString("domain")).isNull();

    JsonObject one = json(gateway.admin("GET", "/admin/v1/webhooks/" + id, null));
    assertThat(one.containsKey("secret")).isFalse();
    assertThat(one.getString("url")).isEqualTo("https://hooks.example.com/postern");
    JsonObject list = json(gateway.admin("GET", "/admin/v1/webhooks", null));
    assertThat(list.encode()).contains(id).doesNotContain(secret.substring(6));

    // Sealed at rest, and the vault opens it back for dispatch.
    assertThat(gateway.core().webhooks().signingSecret(java.util.UUID.fromString(id)).await())
        .contains(secret);

    HttpResponse<String> deleted = gateway.admin("DELETE", "/admin/v1/webhooks/" + id, null);
    assertThat(json(deleted)).isEqualTo(new JsonObject().put("id", id).put("deleted", true));
    assertThat(gateway.admin("GET", "/admin/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
    assertThat(gateway.admin("DELETE", "/admin/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  void wildcardAndDomainScopedWebhooks() {
    gateway.admin("POST", "/admin/v1/domains", new JsonObject().put("name", "hooked.example"));
    JsonObject hook = json(post(new JsonObject().put("url", "http://127.0.0.1:9/x")
        .put("events", new JsonArray().add("*").add("email.sent")).put("domain", "Hooked.Example")));
    assertThat(hook.getJsonArray("events")).containsExactly("*");
    assertThat(hook.getString("domain")).isEqualTo("hooked.example");
    assertIssue(post(new JsonObject().put("url", "https://a.example/x")
        .put("events", new JsonArray().add("email.sent")).put("domain", "missing.example")), "domain");
  }

  @Test
  void badUrlsAndEventsAreValidationErrors() {
    JsonArray events = new JsonArray().add("email.sent");
    for (String url : new String[] {"ftp://example.com/x", "not a url", "https://", "/relative",
        "https://example.com/x\r\nHost: evil", "javascript:alert(1)", "https://example.com/" + "a".repeat(2100)}) {
      assertIssue(post(new JsonObject().put("url", url).put("events", events)), "url");
    }
    assertIssue(post(new JsonObject().put("events", events)), "url");
    assertIssue(post(new JsonObject().put("url", "https://a.example/x")
        .put("events", new JsonArray().add("email.sent").add("email.opened"))), "events[1]");
    assertIssue(post(new JsonObject().put("url", "https://a.example/x").put("events", new JsonArray())), "events");
    assertIssue(post(new JsonObject().put("url", "https://a.example/x")), "events");
    assertIssue(post(new JsonObject().put("url", "https://a.example/x").put("events", "email.sent")), "events");
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() {
    for (String id : new String[] {"00000000-0000-0000-0000-000000000000", "abc"}) {
      assertThat(gateway.admin("GET", "/admin/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
      assertThat(gateway.admin("DELETE", "/admin/v1/webhooks/" + id, null).statusCode()).isEqualTo(404);
    }
  }
}
