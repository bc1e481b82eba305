package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TESTING.md REST 7: every way of failing authentication gets the very same 401. */
class AuthFailuresIT {

  private static TestGateway gateway;
  private static String valid;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    SqlSeed.mailbox(gateway.pgUrl(), "bot@example.com");
    valid = ApiKeyLifecycleIT.createKey(gateway, new JsonObject().put("name", "v").put("mailbox", "bot@example.com")).getString("key");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<String> ping(Map<String, String> headers, String query) {
    return gateway.send("GET", "/v1/emails/_ping" + query, null, headers);
  }

  @Test
  void everyFailureLooksTheSame() {
    String revoked = ApiKeyLifecycleIT.createKey(gateway, new JsonObject().put("name", "r").put("mailbox", "bot@example.com")).getString("key");
    JsonObject revokedMeta = new JsonObject(gateway.admin("GET", "/admin/v1/keys", null).body());
    String revokedId = revokedMeta.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(k -> "r".equals(k.getString("name"))).findFirst().orElseThrow().getString("id");
    gateway.admin("DELETE", "/admin/v1/keys/" + revokedId, null);
    JsonObject expiring = ApiKeyLifecycleIT.createKey(gateway, new JsonObject().put("name", "e")
        .put("mailbox", "bot@example.com").put("expires_at", Instant.now().plusSeconds(3600).toString()));
    SqlSeed.expireKey(gateway.pgUrl(), expiring.getString("id")); // never used before: not cached
    String expired = expiring.getString("key");
    char last = valid.charAt(valid.length() - 1);
    String badChecksum = valid.substring(0, valid.length() - 1) + (last == '0' ? '1' : '0');
    String unknown = "pst_live_" + "0".repeat(40);

    Map<String, HttpResponse<String>> cases = new LinkedHashMap<>();
    cases.put("no header", ping(Map.of(), ""));
    cases.put("empty bearer", ping(Map.of("Authorization", "Bearer "), ""));
    cases.put("basic scheme", ping(Map.of("Authorization", "Basic " + valid), ""));
    cases.put("wrong prefix", ping(Map.of("Authorization", "Bearer xyz" + valid.substring(3)), ""));
    cases.put("bad checksum", ping(Map.of("Authorization", "Bearer " + badChecksum), ""));
    cases.put("unknown key", ping(Map.of("Authorization", "Bearer " + unknown + "00000000"), ""));
    cases.put("revoked", ping(Map.of("Authorization", "Bearer " + revoked), ""));
    cases.put("expired", ping(Map.of("Authorization", "Bearer " + expired), ""));
    cases.put("key in query string", ping(Map.of(), "?api_key=" + valid + "&key=" + valid));
    cases.put("10 KB header", ping(Map.of("Authorization", "Bearer " + "a".repeat(10_240)), ""));
    cases.put("truncated", ping(Map.of("Authorization", "Bearer " + valid.substring(0, 30)), ""));

    String expected = cases.get("no header").body();
    assertThat(new JsonObject(expected).getString("name")).isEqualTo("unauthorized");
    cases.forEach((name, response) -> {
      assertThat(response.statusCode()).as(name).isEqualTo(401);
      assertThat(response.body()).as(name).isEqualTo(expected);
    });
    assertThat(ping(Map.of("Authorization", "Bearer " + valid), "").statusCode()).isEqualTo(200);
  }

  @Test
  void oversizedActorHeaderIs400() {
    HttpResponse<String> response = ping(Map.of("Authorization", "Bearer " + valid,
        "X-Postern-Actor", "a".repeat(1025)), "");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(ping(Map.of("Authorization", "Bearer " + valid, "X-Postern-Actor", "agent-7"), "").statusCode()).isEqualTo(200);
  }
}
