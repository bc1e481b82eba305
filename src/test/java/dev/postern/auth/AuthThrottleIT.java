package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 item 2: failed API-key, admin-token and reveal attempts are audited (at most 3 rows
 * per address per minute), and an address that keeps failing gets 429 with Retry-After before
 * any lookup, whatever it presents next.
 */
class AuthThrottleIT {

  private static final int LIMIT = 10;
  private static TestGateway gateway;
  private static String valid;
  private static String keyId;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(Map.of("POSTERN_HTTP_MAX_AUTH_FAILURES_PER_MINUTE", Integer.toString(LIMIT)));
    SqlSeed.mailbox(gateway.pgUrl(), "bot@example.com");
    JsonObject created = ApiKeyLifecycleIT.createKey(gateway, new JsonObject().put("name", "t").put("mailbox", "bot@example.com"));
    valid = created.getString("key");
    keyId = created.getString("id");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<String> ping(String key) {
    return gateway.withKey(key, "GET", "/v1/emails/_ping", null);
  }

  private static List<JsonObject> failedRows() {
    return new JsonObject(gateway.admin("GET", "/admin/v1/activity?limit=100", null).body())
        .getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(row -> "auth.failed".equals(row.getString("action"))).toList();
  }

  @Test
  void failuresAreAuditedWithinLimitsThenTheAddressIsThrottled() {
    // One of each kind first, then API-key failures: 8 in all, under the throttle.
    HttpResponse<String> reveal = gateway.admin("POST", "/admin/v1/keys/" + keyId + "/reveal",
        new JsonObject().put("admin_token", "not-the-admin-token"));
    assertThat(reveal.statusCode()).isEqualTo(401);
    assertThat(gateway.send("GET", "/admin/v1/keys", null,
        Map.of("Authorization", "Bearer wrong-admin-token-123")).statusCode()).isEqualTo(401);
    for (int i = 0; i < 6; i++) {
      String madeUp = "pst_live_" + UUID.randomUUID().toString().replace("-", "") + "0000000000000000";
      assertThat(ping(madeUp).statusCode()).isEqualTo(401);
    }
    // A later admin action marks the point the failure rows must already be written by.
    ApiKeyLifecycleIT.createKey(gateway, new JsonObject().put("name", "marker").put("mailbox", "bot@example.com"));
    Eventually.until(Duration.ofSeconds(10), () -> new JsonObject(gateway.admin("GET",
            "/admin/v1/activity?limit=100", null).body()).getJsonArray("data").stream()
            .map(JsonObject.class::cast).filter(r -> "keys.create".equals(r.getString("action")))
            .count() == 2, // the key of start() and the marker
        () -> "the marker's audit row");
    List<JsonObject> rows = failedRows();
    assertThat(rows).hasSize(3);
    assertThat(rows).extracting(r -> r.getJsonObject("details").getString("kind"))
        .containsExactlyInAnyOrder("reveal", "admin_token", "api_key");
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.getString("remote_addr")).isEqualTo("127.0.0.1");
      assertThat(r.getInteger("status")).isEqualTo(401);
      assertThat(r.encode()).doesNotContain("not-the-admin-token").doesNotContain("wrong-admin-token");
    });

    // Failures 9 and 10 are still 401; from then on the address gets 429, valid key or not.
    assertThat(ping("pst_live_" + "1".repeat(48)).statusCode()).isEqualTo(401);
    assertThat(ping("pst_live_" + "2".repeat(48)).statusCode()).isEqualTo(401);
    HttpResponse<String> throttled = ping("pst_live_" + "3".repeat(48));
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(new JsonObject(throttled.body()).getString("name")).isEqualTo("rate_limited");
    long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(ping(valid).statusCode()).isEqualTo(429);
    assertThat(gateway.admin("GET", "/admin/v1/keys", null).statusCode()).isEqualTo(429);
  }
}
