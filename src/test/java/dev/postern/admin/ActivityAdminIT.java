package dev.postern.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.audit.ActorType;
import dev.postern.audit.AuditEntry;
import dev.postern.support.Eventually;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ActivityAdminIT {

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

  /** Audit rows are written in batches: poll until {@code n} rows match. */
  static List<JsonObject> awaitActivity(String action, int n) {
    List<JsonObject> found = new ArrayList<>();
    Eventually.until(Duration.ofSeconds(10), () -> {
      found.clear();
      json(gateway.admin("GET", "/admin/v1/activity?limit=100", null)).getJsonArray("data")
          .forEach(o -> {
            if (((JsonObject) o).getString("action").equals(action)) {
              found.add((JsonObject) o);
            }
          });
      return found.size() >= n;
    }, () -> found.size() + " " + action + " entries in the feed, expected " + n);
    return List.copyOf(found);
  }

  @Test
  void everyAdminRouteRefusesMissingWrongAndApiKeyTokensWithTheSame401() {
    String apiKey = "pst_live_" + "0123456789abcdef".repeat(3);
    List<Map<String, String>> headers = List.of(Map.of(), Map.of("Authorization", "Bearer "),
        Map.of("Authorization", "Bearer wrong-token-value-123"), Map.of("Authorization", "Bearer " + apiKey),
        Map.of("Authorization", "Basic " + gateway.adminToken()),
        Map.of("Authorization", "Bearer " + gateway.adminToken() + "x"));
    String[][] routes = {{"POST", "/admin/v1/domains"}, {"GET", "/admin/v1/domains"},
        {"GET", "/admin/v1/domains/" + UUID.randomUUID()}, {"POST", "/admin/v1/domains/x/verify"},
        {"POST", "/admin/v1/mailboxes"}, {"GET", "/admin/v1/mailboxes"}, {"PATCH", "/admin/v1/mailboxes/x"},
        {"DELETE", "/admin/v1/mailboxes/x"}, {"POST", "/admin/v1/webhooks"}, {"GET", "/admin/v1/webhooks"},
        {"DELETE", "/admin/v1/webhooks/x"}, {"GET", "/admin/v1/activity"},
        {"GET", "/admin/v1/keys/" + UUID.randomUUID() + "/audit"}};
    for (String[] route : routes) {
      for (Map<String, String> h : headers) {
        HttpResponse<String> r = gateway.send(route[0], route[1], "{\"name\":\"x.example\"}", h);
        assertThat(r.statusCode()).as(route[0] + " " + route[1] + " " + h).isEqualTo(401);
        assertThat(json(r).getString("name")).isEqualTo("unauthorized");
      }
    }
    assertThat(gateway.admin("GET", "/admin/v1/domains", null).body()).doesNotContain("x.example");
  }

  @Test
  void adminActionsAppearInTheActivityFeedWithoutSecrets() {
    HttpResponse<String> domain = gateway.send("POST", "/admin/v1/domains", "{\"name\":\"audited.example\"}",
        Map.of("Authorization", "Bearer " + gateway.adminToken(), "X-Postern-Actor", "ops:alice",
            "Content-Type", "application/json"));
    String domainId = json(domain).getString("id");
    String mailboxId = json(gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", "bot@audited.example"))).getString("id");
    gateway.admin("DELETE", "/admin/v1/mailboxes/" + mailboxId, null);
    JsonObject hook = json(gateway.admin("POST", "/admin/v1/webhooks", new JsonObject()
        .put("url", "https://h.example/x").put("events", new JsonArray().add("*"))));
    gateway.admin("DELETE", "/admin/v1/webhooks/" + hook.getString("id"), null);

    JsonObject created = awaitActivity("domains.create", 1).get(0);
    assertThat(created.getString("actor_type")).isEqualTo("admin");
    assertThat(created.getString("actor")).isEqualTo("ops:alice");
    assertThat(created.getString("method")).isEqualTo("POST");
    assertThat(created.getString("path")).isEqualTo("/admin/v1/domains");
    assertThat(created.getInteger("status")).isEqualTo(201);
    assertThat(created.getString("remote_addr")).isEqualTo("127.0.0.1");
    assertThat(created.getJsonObject("details").getString("domain_id")).isEqualTo(domainId);
    assertThat(awaitActivity("mailboxes.create", 1).get(0).getJsonObject("details").getString("mailbox_id"))
        .isEqualTo(mailboxId);
    assertThat(awaitActivity("mailboxes.delete", 1)).hasSize(1);
    assertThat(awaitActivity("webhooks.create", 1)).hasSize(1);
    assertThat(awaitActivity("webhooks.delete", 1)).hasSize(1);

    // The feed reads above were queued for the audit writer before this write (one FIFO queue):
    // once the write is in the feed, any audited read would be too.
    String marker = json(gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", "after-reads@audited.example"))).getString("id");
    Eventually.until(Duration.ofSeconds(10), () -> json(gateway.admin("GET", "/admin/v1/activity?limit=100", null))
            .getJsonArray("data").stream().map(JsonObject.class::cast)
            .anyMatch(e -> "mailboxes.create".equals(e.getString("action"))
                && marker.equals(e.getJsonObject("details", new JsonObject()).getString("mailbox_id"))),
        () -> "mailboxes.create of " + marker + " not in the feed");
    String feed = gateway.admin("GET", "/admin/v1/activity?limit=100", null).body();
    assertThat(feed).doesNotContain(hook.getString("secret")).doesNotContain(gateway.adminToken())
        .doesNotContain("whsec_");
    // Reads are not audited.
    assertThat(new JsonObject(feed).getJsonArray("data").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("actor_type").equals("admin")).map(o -> o.getString("method")))
        .doesNotContain("GET");
  }

  @Test
  void activityAndKeyHistoryArePagedNewestFirstWithACursor() {
    UUID key = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    for (int i = 0; i < 7; i++) {
      gateway.core().audit().record(new AuditEntry(Instant.now(), ActorType.API_KEY, key,
          "POST /v1/emails", "POST", "/v1/emails", 200, "10.0.0." + i, null, new JsonObject().put("i", i)));
      gateway.core().audit().record(new AuditEntry(Instant.now(), ActorType.API_KEY, other,
          "GET /v1/inbox/messages", "GET", "/v1/inbox/messages", 200, null, null, null));
    }
    String base = "/admin/v1/keys/" + key + "/audit";
    Eventually.until(Duration.ofSeconds(10),
        () -> json(gateway.admin("GET", base + "?limit=100", null)).getJsonArray("data").size() >= 7,
        () -> "key history: " + gateway.admin("GET", base + "?limit=100", null).body());

    List<Integer> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = json(gateway.admin("GET", base + "?limit=3" + (cursor == null ? "" : "&before=" + cursor), null));
      page.getJsonArray("data").forEach(o -> {
        JsonObject row = (JsonObject) o;
        assertThat(row.getString("api_key_id")).isEqualTo(key.toString());
        assertThat(row.getString("actor_type")).isEqualTo("api_key");
        seen.add(row.getJsonObject("details").getInteger("i"));
      });
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactly(6, 5, 4, 3, 2, 1, 0);

    JsonObject firstActivity = json(gateway.admin("GET", "/admin/v1/activity?limit=2", null));
    assertThat(firstActivity.getJsonArray("data")).hasSize(2);
    long firstId = Long.parseLong(firstActivity.getJsonArray("data").getJsonObject(0).getString("id"));
    long secondId = Long.parseLong(firstActivity.getJsonArray("data").getJsonObject(1).getString("id"));
    assertThat(firstId).isGreaterThan(secondId);
    assertThat(firstActivity.getString("next_cursor")).isEqualTo(Long.toString(secondId));

    assertThat(json(gateway.admin("GET", "/admin/v1/keys/" + UUID.randomUUID() + "/audit", null))
        .getJsonArray("data")).isEmpty();
    assertThat(json(gateway.admin("GET", "/admin/v1/activity", null)).getJsonArray("data").size()).isLessThanOrEqualTo(50);
  }

  @Test
  void badLimitsCursorsAndKeyIds() {
    for (String q : new String[] {"limit=0", "limit=101", "limit=abc", "before=-1", "before=xyz"}) {
      HttpResponse<String> r = gateway.admin("GET", "/admin/v1/activity?" + q, null);
      assertThat(r.statusCode()).as(q).isEqualTo(400);
      assertThat(json(r).getString("name")).isEqualTo("validation_error");
    }
    assertThat(gateway.admin("GET", "/admin/v1/keys/not-a-uuid/audit", null).statusCode()).isEqualTo(404);
  }
}
