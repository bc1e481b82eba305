package dev.postern.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FaultProxy;
import dev.postern.support.HourWindow;
import dev.postern.support.RedisFixture;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md "Faults", SPEC §3 "Rate limits": quotas in Redis with Redis stopped or hung, at the
 * gateway level. {@code fail_closed} refuses sends with 503 {@code unavailable} within about the
 * configured Redis timeout (250 ms by default); {@code fail_open} accepts them; once Redis is back
 * quotas count again. And two gateway nodes on one Redis share a key's hourly quota.
 */
class RedisOutageIT {

  /** The default redis.timeout_ms (these gateways do not override it). */
  private static final Duration REDIS_TIMEOUT = Duration.ofMillis(250);
  /** Timeout plus room for HTTP, auth and a loaded 2-core machine; far below a hang. */
  private static final Duration DECISION_BOUND = REDIS_TIMEOUT.plusMillis(1_250);
  private static final String FROM = "app@quota.example";

  private final List<AutoCloseable> started = new ArrayList<>();

  /** Every case here counts an hourly quota across an outage. */
  @BeforeEach
  void notAcrossTheTopOfAnHour() {
    HourWindow.awaitRoomFor(Duration.ofMinutes(3));
  }

  @AfterEach
  void stop() throws Exception {
    Exception first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    started.add(resource);
    return resource;
  }

  @Test
  void failClosedRefusesSendsWith503WithinTheTimeoutWhileRedisIsStoppedAndCountsAgainOnceItIsBack() {
    RedisFixture.Instance redis = track(RedisFixture.privateInstance());
    TestGateway gateway = gateway(redis.url(), "fail_closed");
    String key = key(gateway, 5);
    assertAccepted(gateway, key, 4);

    redis.stop();
    assertRefusedAsUnavailableWithinTheTimeout(gateway, key);
    assertNotReady(gateway);

    redis.start();
    assertQuotaCountsAgain(gateway, key, 5);
  }

  @Test
  void failClosedRefusesSendsWith503WithinTheTimeoutWhileRedisHangs() {
    RedisFixture.Instance redis = track(RedisFixture.privateInstance());
    FaultProxy proxy = track(FaultProxy.to("127.0.0.1", redis.port()));
    TestGateway gateway = gateway("redis://127.0.0.1:" + proxy.port(), "fail_closed");
    String key = key(gateway, 5);
    assertAccepted(gateway, key, 4);

    proxy.hang();
    assertRefusedAsUnavailableWithinTheTimeout(gateway, key);
    assertNotReady(gateway);

    proxy.pass();
    // Nothing was lost in Redis: the 4 sends before still count, 1 remains.
    Eventually.until(Duration.ofSeconds(15), () -> send(gateway, key).statusCode() == 200,
        () -> "a send once Redis answers again: " + send(gateway, key).body());
    HttpResponse<String> over = send(gateway, key);
    assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
  }

  @Test
  void failOpenAcceptsSendsWhileRedisIsStoppedAndCountsAgainOnceItIsBack() {
    RedisFixture.Instance redis = track(RedisFixture.privateInstance());
    TestGateway gateway = gateway(redis.url(), "fail_open");
    String key = key(gateway, 3);
    assertAccepted(gateway, key, 3);
    assertThat(send(gateway, key).statusCode()).as("over quota while Redis is up").isEqualTo(429);

    redis.stop();
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = send(gateway, key);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(response.statusCode()).as("fail_open, Redis down: " + response.body()).isEqualTo(200);
      assertThat(took).isLessThan(DECISION_BOUND);
    }
    assertNotReady(gateway);

    redis.start();
    // The restarted Redis kept nothing (no persistence): a full quota again, counted again.
    assertQuotaCountsAgain(gateway, key, 3);
  }

  @Test
  void twoGatewayNodesShareAKeysHourlyQuotaThroughRedis() {
    String redis = RedisFixture.url();
    TestGateway first = gateway(redis, "fail_closed");
    TestGateway second = track(TestGateway.start(Map.of(
        "POSTERN_PG_URL", first.pgUrl(),
        "POSTERN_REDIS_URL", redis,
        "POSTERN_REDIS_FAILURE_MODE", "fail_closed",
        "POSTERN_MASTER_SECRET", first.masterSecret(),
        "POSTERN_ADMIN_TOKEN", first.adminToken())));
    String key = key(first, 10);

    int accepted = 0;
    int limited = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> response = send(i % 2 == 0 ? first : second, key);
      if (response.statusCode() == 200) {
        accepted++;
      } else {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("name")).isEqualTo("rate_limited");
        assertThat(body.getLong("limit")).isEqualTo(10);
        limited++;
      }
    }
    assertThat(accepted).isEqualTo(10);
    assertThat(limited).isEqualTo(10);
  }

  private void assertRefusedAsUnavailableWithinTheTimeout(TestGateway gateway, String key) {
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = send(gateway, key);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(new JsonObject(response.body()).getString("name")).isEqualTo("unavailable");
      assertThat(took).as("time to refuse").isLessThan(DECISION_BOUND);
    }
  }

  private static void assertNotReady(TestGateway gateway) {
    HttpResponse<String> ready = gateway.send("GET", "/readyz", null, Map.of());
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
    assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("redis"))
        .startsWith("error");
  }

  /** Once Redis answers: each send lowers X-RateLimit-Remaining by one, and limit+1 is 429. */
  private static void assertQuotaCountsAgain(TestGateway gateway, String key, int limit) {
    Eventually.until(Duration.ofSeconds(15),
        () -> gateway.send("GET", "/readyz", null, Map.of()).statusCode() == 200,
        () -> "/readyz once Redis is back: " + gateway.send("GET", "/readyz", null, Map.of()).body());
    for (int sent = 1; sent <= limit; sent++) {
      HttpResponse<String> response = send(gateway, key);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.headers().firstValue("X-RateLimit-Remaining"))
          .hasValue(Integer.toString(limit - sent));
    }
    HttpResponse<String> over = send(gateway, key);
    assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
    assertThat(new JsonObject(over.body()).getString("name")).isEqualTo("rate_limited");
  }

  private static void assertAccepted(TestGateway gateway, String key, int count) {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> response = send(gateway, key);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  private TestGateway gateway(String redisUrl, String failureMode) {
    return track(TestGateway.start(Map.of(
        "POSTERN_REDIS_URL", redisUrl,
        "POSTERN_REDIS_FAILURE_MODE", failureMode)));
  }

  private static String key(TestGateway gateway, int perHour) {
    SqlSeed.mailbox(gateway.pgUrl(), FROM);
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "quota").put("mailbox", FROM).put("scope", "full_access")
        .put("rate_limit_per_hour", perHour));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static HttpResponse<String> send(TestGateway gateway, String key) {
    return gateway.withKey(key, "POST", "/v1/emails", new JsonObject().put("from", FROM)
        .put("to", "alice@example.org").put("subject", "quota " + UUID.randomUUID())
        .put("text", "counted"));
  }
}
