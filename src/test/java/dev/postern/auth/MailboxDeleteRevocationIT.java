package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 item 3: deleting a mailbox deletes its keys by cascade; every node (here two gateways
 * on one database) refuses them within a second, not after its cache entry expires (60 s).
 */
class MailboxDeleteRevocationIT {

  private static TestGateway nodeA;
  private static TestGateway nodeB;

  @BeforeAll
  static void start() {
    nodeA = TestGateway.start();
    nodeB = TestGateway.start(Map.of("POSTERN_PG_URL", nodeA.pgUrl(),
        "POSTERN_MASTER_SECRET", nodeA.masterSecret()));
  }

  @AfterAll
  static void stop() {
    nodeB.close();
    nodeA.close();
  }

  private static int ping(TestGateway node, String key) {
    return node.withKey(key, "GET", "/v1/emails/_ping", null).statusCode();
  }

  /** Milliseconds until {@code node} refuses {@code key}; fails past 5 s. */
  private static long millisUntilRefused(TestGateway node, String key) throws InterruptedException {
    long start = System.nanoTime();
    while (ping(node, key) != 401) {
      assertThat(System.nanoTime() - start).as("still accepted").isLessThan(5_000_000_000L);
      Thread.sleep(20); // poll interval of this measurement
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void deletingAMailboxRefusesItsKeysOnEveryNodeWithinOneSecond() throws Exception {
    UUID mailbox = SqlSeed.mailbox(nodeA.pgUrl(), "leaving@example.com");
    String first = ApiKeyLifecycleIT.createKey(nodeA, new JsonObject().put("name", "one")
        .put("mailbox", "leaving@example.com")).getString("key");
    String second = ApiKeyLifecycleIT.createKey(nodeA, new JsonObject().put("name", "two")
        .put("mailbox", "leaving@example.com")).getString("key");
    for (String key : new String[] {first, second}) {
      assertThat(ping(nodeA, key)).isEqualTo(200); // now cached on both nodes
      assertThat(ping(nodeB, key)).isEqualTo(200);
    }
    var deleted = nodeA.admin("DELETE", "/admin/v1/mailboxes/" + mailbox, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    for (String key : new String[] {first, second}) {
      assertThat(millisUntilRefused(nodeB, key)).isLessThan(1_000);
      assertThat(millisUntilRefused(nodeA, key)).isLessThan(1_000);
    }
  }
}
