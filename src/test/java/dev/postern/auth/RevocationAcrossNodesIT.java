package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.GatewayProcess;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #3: rotate and revoke on one node take effect on a second gateway PROCESS on the same
 * database within one second (LISTEN/NOTIFY invalidates its key cache).
 */
class RevocationAcrossNodesIT {

  @TempDir static Path work;
  private static TestGateway nodeA;
  private static GatewayProcess nodeB;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    nodeA = TestGateway.start();
    SqlSeed.mailbox(nodeA.pgUrl(), "bot@example.com");
    nodeB = GatewayProcess.start(work, Map.of(
        "POSTERN_DATA_DIR", work.resolve("b").toString(),
        "POSTERN_HTTP_HOST", "127.0.0.1",
        "POSTERN_PG_URL", nodeA.pgUrl(),
        "POSTERN_MASTER_SECRET", nodeA.masterSecret(),
        "POSTERN_ADMIN_TOKEN", nodeA.adminToken()));
    nodeB.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    nodeB.close();
    nodeA.close();
  }

  private static int pingOnB(String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(nodeB.baseUrl() + "/v1/emails/_ping"))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** Milliseconds until node B refuses {@code key}; fails past 5 s. */
  private static long millisUntilRefusedOnB(String key) throws Exception {
    long start = System.nanoTime();
    while (pingOnB(key) != 401) {
      assertThat(System.nanoTime() - start).as("still accepted on node B").isLessThan(5_000_000_000L);
      Thread.sleep(20);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void rotationOnOneNodeRefusesTheOldValueOnAnotherWithinOneSecond() throws Exception {
    JsonObject created = ApiKeyLifecycleIT.createKey(nodeA, new JsonObject().put("name", "rot").put("mailbox", "bot@example.com"));
    String old = created.getString("key");
    assertThat(pingOnB(old)).isEqualTo(200); // now cached on node B
    assertThat(pingOnB(old)).isEqualTo(200);
    JsonObject rotated = new JsonObject(nodeA.admin("POST", "/admin/v1/keys/" + created.getString("id") + "/rotate", null).body());
    assertThat(millisUntilRefusedOnB(old)).isLessThan(1_000);
    assertThat(pingOnB(rotated.getString("key"))).isEqualTo(200);
  }

  @Test
  void revocationOnOneNodeIsRefusedOnAnotherWithinOneSecond() throws Exception {
    JsonObject created = ApiKeyLifecycleIT.createKey(nodeA, new JsonObject().put("name", "rev").put("mailbox", "bot@example.com"));
    String key = created.getString("key");
    assertThat(pingOnB(key)).isEqualTo(200);
    nodeA.admin("DELETE", "/admin/v1/keys/" + created.getString("id"), null);
    assertThat(millisUntilRefusedOnB(key)).isLessThan(1_000);
  }
}
