package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #3: the whole key lifecycle over real HTTP on one node. */
class ApiKeyLifecycleIT {

  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    SqlSeed.mailbox(gateway.pgUrl(), "bot@example.com");
    SqlSeed.mailbox(gateway.pgUrl(), "other@example.com");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static JsonObject createKey(TestGateway gw, JsonObject request) {
    HttpResponse<String> response = gw.admin("POST", "/admin/v1/keys", request);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> ping(String key) {
    return gateway.withKey(key, "GET", "/v1/emails/_ping", null);
  }

  @Test
  void createdKeyIdentifiesItselfOnPing() {
    JsonObject created = createKey(gateway, new JsonObject().put("name", "bot")
        .put("mailbox", "bot@example.com").put("scope", "full_access").put("rate_limit_per_hour", 500));
    String key = created.getString("key");
    assertThat(key).matches("pst_live_[0-9a-f]{48}");
    assertThat(created.getString("mailbox")).isEqualTo("bot@example.com");

    HttpResponse<String> response = ping(key);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getBoolean("ok")).isTrue();
    assertThat(body.getString("mailbox")).isEqualTo("bot@example.com");
    assertThat(body.getString("mode")).isEqualTo("live");
    assertThat(body.getString("scope")).isEqualTo("full_access");
    assertThat(body.getJsonArray("scopes")).containsExactlyInAnyOrder("emails:send", "emails:read", "inbox:read", "inbox:write");
    assertThat(body.getInteger("rate_limit_per_hour")).isEqualTo(500);
    assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("500");
    assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("500");
    long reset = Long.parseLong(response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
    assertThat(reset).isGreaterThan(Instant.now().getEpochSecond()).isLessThanOrEqualTo(Instant.now().getEpochSecond() + 3600);

    HttpResponse<String> inbox = gateway.withKey(key, "GET", "/v1/inbox/_ping", null);
    assertThat(inbox.statusCode()).isEqualTo(200);
    assertThat(inbox.headers().firstValue("X-RateLimit-Limit")).hasValue("3600");
  }

  /** The answer is encoded once per key and then reused: many concurrent pings, one body. */
  @Test
  void concurrentPingsOfTwoKeysEachGetTheirOwnAnswerWhole() throws Exception {
    String first = createKey(gateway, new JsonObject().put("name", "p1")
        .put("mailbox", "bot@example.com").put("rate_limit_per_hour", 700)).getString("key");
    String second = createKey(gateway, new JsonObject().put("name", "p2")
        .put("domain", "example.com").put("scope", "full_access")).getString("key");
    String firstBody = ping(first).body();
    String secondBody = ping(second).body();
    assertThat(new JsonObject(firstBody).getInteger("rate_limit_per_hour")).isEqualTo(700);
    assertThat(new JsonObject(secondBody).getString("domain")).isEqualTo("example.com");
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String key = i % 2 == 0 ? first : second;
      String path = i % 4 < 2 ? "/v1/emails/_ping" : "/v1/inbox/_ping";
      replies.add(client.sendAsync(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
          .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < replies.size(); i++) {
      HttpResponse<String> reply = replies.get(i).get(30, TimeUnit.SECONDS);
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo(i % 2 == 0 ? firstBody : secondBody);
    }
  }

  @Test
  void domainBoundTestKeyWithDefaultScope() {
    JsonObject created = createKey(gateway, new JsonObject().put("name", "ci")
        .put("domain", "example.com").put("mode", "test"));
    assertThat(created.getString("key")).startsWith("pst_test_");
    assertThat(created.getJsonArray("scopes")).containsExactly("emails:send");
    JsonObject body = new JsonObject(ping(created.getString("key")).body());
    assertThat(body.getString("domain")).isEqualTo("example.com");
    assertThat(body.getString("mode")).isEqualTo("test");
    assertThat(body.getString("scope")).isEqualTo("send_only");
    assertThat(body.getInteger("rate_limit_per_hour")).isEqualTo(1000);
  }

  @Test
  void metadataNeverShowsThePlaintextButRevealDoesWithTheAdminTokenReentered() {
    JsonObject created = createKey(gateway, new JsonObject().put("name", "r").put("mailbox", "bot@example.com"));
    String id = created.getString("id");
    String listed = gateway.admin("GET", "/admin/v1/keys", null).body();
    String shown = gateway.admin("GET", "/admin/v1/keys/" + id, null).body();
    assertThat(listed).contains(id).doesNotContain(created.getString("key"));
    assertThat(shown).doesNotContain(created.getString("key")).doesNotContain(created.getString("key").substring(9, 21));

    assertThat(gateway.admin("POST", "/admin/v1/keys/" + id + "/reveal", new JsonObject()).statusCode()).isEqualTo(401);
    assertThat(gateway.admin("POST", "/admin/v1/keys/" + id + "/reveal",
        new JsonObject().put("admin_token", "wrong-token-entirely")).statusCode()).isEqualTo(401);
    HttpResponse<String> revealed = gateway.admin("POST", "/admin/v1/keys/" + id + "/reveal",
        new JsonObject().put("admin_token", gateway.adminToken()));
    assertThat(revealed.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(revealed.body()).getString("key")).isEqualTo(created.getString("key"));
  }

  @Test
  void rotateIssuesANewValueAndRefusesTheOld() {
    JsonObject created = createKey(gateway, new JsonObject().put("name", "rot")
        .put("mailbox", "bot@example.com").put("scopes", new JsonArray().add("emails:*")));
    String oldKey = created.getString("key");
    assertThat(ping(oldKey).statusCode()).isEqualTo(200);
    HttpResponse<String> rotated = gateway.admin("POST", "/admin/v1/keys/" + created.getString("id") + "/rotate", null);
    assertThat(rotated.statusCode()).isEqualTo(200);
    JsonObject next = new JsonObject(rotated.body());
    assertThat(next.getString("id")).isNotEqualTo(created.getString("id"));
    assertThat(next.getString("rotated_from")).isEqualTo(created.getString("id"));
    assertThat(next.getJsonArray("scopes")).containsExactly("emails:*");
    assertThat(ping(next.getString("key")).statusCode()).isEqualTo(200);
    assertThat(ping(oldKey).statusCode()).isEqualTo(401);
    // Rotating a revoked key again is not possible.
    assertThat(gateway.admin("POST", "/admin/v1/keys/" + created.getString("id") + "/rotate", null).statusCode()).isEqualTo(404);
  }

  @Test
  void revokeTakesEffectImmediately() {
    JsonObject created = createKey(gateway, new JsonObject().put("name", "rev").put("mailbox", "bot@example.com"));
    String key = created.getString("key");
    assertThat(ping(key).statusCode()).isEqualTo(200);
    HttpResponse<String> revoked = gateway.admin("DELETE", "/admin/v1/keys/" + created.getString("id"), null);
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(revoked.body()).getString("revoked_at")).isNotNull();
    assertThat(ping(key).statusCode()).isEqualTo(401);
  }

  @Test
  void expiredKeyIsRefused() {
    // The gateway reads the system clock (it takes no Clock), so the expiry is real time: far
    // enough ahead that the first ping is surely before it, then waited for, not slept past.
    Instant expiresAt = Instant.now().plusSeconds(5);
    JsonObject created = createKey(gateway, new JsonObject().put("name", "exp").put("mailbox", "bot@example.com")
        .put("expires_at", expiresAt.toString()));
    assertThat(ping(created.getString("key")).statusCode()).isEqualTo(200);
    Eventually.until(Duration.ofSeconds(30), () -> Instant.now().isAfter(expiresAt),
        () -> "the clock has not passed " + expiresAt);
    assertThat(ping(created.getString("key")).statusCode()).isEqualTo(401);
  }

  @Test
  void createValidatesEveryField() {
    HttpResponse<String> response = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("mailbox", "bot@example.com").put("domain", "example.com").put("scopes", new JsonArray().add("emails:delete"))
        .put("mode", "prod").put("rate_limit_per_hour", 0).put("expires_at", "yesterday"));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("name")).isEqualTo("validation_error");
    assertThat(body.getJsonArray("issues").stream().map(i -> ((JsonObject) i).getString("path")))
        .contains("name", "scopes", "mode", "rate_limit_per_hour", "expires_at");
    assertThat(gateway.admin("POST", "/admin/v1/keys", new JsonObject().put("name", "x")
        .put("mailbox", "nobody@example.com")).statusCode()).isEqualTo(400);
    assertThat(gateway.admin("GET", "/admin/v1/keys/not-a-uuid", null).statusCode()).isEqualTo(404);
    assertThat(gateway.admin("GET", "/admin/v1/keys/" + java.util.UUID.randomUUID(), null).statusCode()).isEqualTo(404);
  }

  @Test
  void apiKeysCannotManageKeys() {
    String key = createKey(gateway, new JsonObject().put("name", "k").put("mailbox", "bot@example.com")
        .put("scope", "full_access")).getString("key");
    assertThat(gateway.withKey(key, "GET", "/admin/v1/keys", null).statusCode()).isEqualTo(401);
    assertThat(gateway.send("GET", "/admin/v1/keys", null, java.util.Map.of()).statusCode()).isEqualTo(401);
  }
}
