package dev.postern.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.RestartablePostgres;
import dev.postern.support.SendLoad;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md "Faults": PostgreSQL stopped and started again under a steady send load. While it is
 * down every send is 503 {@code unavailable} (never 500, never a hang) and /readyz is 503; once it
 * is back the same gateway serves again by itself, and every message it acknowledged — before,
 * during or after the outage — is in the database exactly as sent.
 */
class DatabaseOutageIT {

  /** Upper bound on any one request, outage or not; the pool's connect timeout is 2 s here. */
  private static final Duration REQUEST_BOUND = Duration.ofSeconds(10);
  private static final String FROM = "app@outage.example";

  private RestartablePostgres postgres;
  private TestGateway gateway;

  @BeforeEach
  void start() {
    postgres = RestartablePostgres.start();
    gateway = TestGateway.start(Map.of("POSTERN_PG_URL", postgres.url()),
        new JsonObject().put("postgres", new JsonObject().put("connect_timeout_seconds", 2)));
    SqlSeed.mailbox(postgres.url(), FROM);
  }

  @AfterEach
  void stop() {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      postgres.close();
    }
  }

  @Test
  void sendsAre503WhileTheDatabaseIsDownAndResumeByThemselvesWithNothingAcknowledgedLost() {
    String key = key();
    List<SendLoad.Outcome> outcomes;
    long stoppedAt;
    long restartedAt;
    try (SendLoad load = SendLoad.start(gateway, key, FROM, 4, REQUEST_BOUND)) {
      Eventually.until(Duration.ofSeconds(20), () -> load.count(200) >= 40,
          () -> "sends before the outage: " + summary(load.outcomes()));

      stoppedAt = System.nanoTime();
      postgres.stop();
      Eventually.until(Duration.ofSeconds(15), () -> load.startedAfter(stoppedAt).stream()
              .filter(o -> o.status() == 503).count() >= 20,
          () -> "503s while PostgreSQL is down: " + summary(load.startedAfter(stoppedAt)));
      HttpResponse<String> ready = gateway.send("GET", "/readyz", null, Map.of());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("database"))
          .startsWith("error");

      restartedAt = System.nanoTime();
      postgres.startAgain();
      Eventually.until(Duration.ofSeconds(30), () -> load.startedAfter(restartedAt).stream()
              .filter(SendLoad.Outcome::accepted).count() >= 40,
          () -> "sends after PostgreSQL is back: " + summary(load.startedAfter(restartedAt)));
      outcomes = load.outcomes();
    }
    // Also by itself: no restart of the gateway, the same pool.
    Eventually.until(Duration.ofSeconds(10),
        () -> gateway.send("GET", "/readyz", null, Map.of()).statusCode() == 200,
        () -> "/readyz after recovery: " + gateway.send("GET", "/readyz", null, Map.of()).body());

    assertThat(outcomes).as("every outcome is an acceptance or 503 unavailable: %s", summary(outcomes))
        .allSatisfy(o -> {
          assertThat(o.status()).isIn(200, 503);
          if (o.status() == 503) {
            assertThat(o.errorName()).isEqualTo("unavailable");
          }
          assertThat(o.elapsed()).isLessThan(REQUEST_BOUND);
        });
    assertThat(outcomes.stream().filter(o -> o.startedNanos() - stoppedAt < 0))
        .as("before the outage").anyMatch(SendLoad.Outcome::accepted);
    assertThat(outcomes.stream().filter(o -> o.startedNanos() - restartedAt > 0))
        .as("after the outage").anyMatch(SendLoad.Outcome::accepted);

    assertEveryAcknowledgedMessageIsStoredAsSent(outcomes.stream()
        .filter(SendLoad.Outcome::accepted).toList());
  }

  @Test
  void aKeyLookedUpWhileTheDatabaseIsDownIs503NotAnInvalidKey() {
    String key = key(); // created through the admin API: not in this node's key cache
    postgres.stop();
    HttpResponse<String> refused = gateway.send("POST", "/v1/emails", new JsonObject()
        .put("from", FROM).put("to", "someone@example.com").put("subject", "s").put("text", "t").encode(),
        Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(new JsonObject(refused.body()).getString("name")).isEqualTo("unavailable");

    postgres.startAgain();
    Eventually.until(Duration.ofSeconds(30), () -> gateway.send("POST", "/v1/emails", new JsonObject()
            .put("from", FROM).put("to", "someone@example.com").put("subject", "s").put("text", "t").encode(),
            Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json")).statusCode() == 200,
        () -> "the same key works once PostgreSQL is back");
  }

  private void assertEveryAcknowledgedMessageIsStoredAsSent(List<SendLoad.Outcome> accepted) {
    Map<UUID, SendLoad.Outcome> byId = new HashMap<>();
    accepted.forEach(o -> byId.put(UUID.fromString(o.id()), o));
    assertThat(byId).as("ids are unique").hasSize(accepted.size());
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = PgBuilder.pool().connectingTo(postgres.url()).using(vertx).build();
      Map<UUID, Row> stored = new HashMap<>();
      for (Row row : db.preparedQuery("""
              SELECT m.id, m.subject, m.mime_inline,
                     (SELECT count(*) FROM outbound_recipients r WHERE r.message_id = m.id) AS recipients
              FROM outbound_messages m WHERE m.id = ANY($1)""")
          .execute(Tuple.of(byId.keySet().toArray(new UUID[0]))).await()) {
        stored.put(row.getUUID("id"), row);
      }
      db.close().await();
      assertThat(stored.keySet()).as("acknowledged ids in outbound_messages")
          .containsExactlyInAnyOrderElementsOf(byId.keySet());
      byId.forEach((id, sent) -> {
        Row row = stored.get(id);
        assertThat(row.getString("subject")).isEqualTo(sent.subject());
        assertThat(row.getLong("recipients")).isEqualTo(1);
        assertThat(row.getBuffer("mime_inline").toString())
            .contains("Subject: " + sent.subject()).contains("token " + sent.token());
      });
    } finally {
      vertx.close().await();
    }
  }

  private String key() {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "outage").put("mailbox", FROM).put("scope", "full_access")
        .put("rate_limit_per_hour", 1_000_000));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static String summary(List<SendLoad.Outcome> outcomes) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    outcomes.forEach(o -> counts.merge(o.status() + (o.errorName() == null ? "" : " " + o.errorName()),
        1L, Long::sum));
    return counts.toString();
  }
}
