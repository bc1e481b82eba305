package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.queue.WorkQueue;
import dev.postern.queue.WorkQueueContract;
import dev.postern.queue.WorkState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The work-queue contract for webhook deliveries; work enters through the emit statement. */
class WebhookDeliveriesIT implements WorkQueueContract<WebhookDeliveries.Claimed> {

  private static Vertx vertx;
  private static Pool pool;
  private static UUID domain;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = WorkQueueContract.freshPool(vertx);
    domain = WebhookRows.domain(pool, "queue.example");
    KeyVault vault = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));
    WebhookRows.insert(pool, vault, "http://127.0.0.1:9/hook", List.of("*"), domain);
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  @Override
  public WorkQueue<WebhookDeliveries.Claimed> claimer(String owner) {
    return new WebhookDeliveries(pool, owner);
  }

  @Override
  public UUID enqueue() {
    String marker = UUID.randomUUID().toString();
    int inserted = new WebhookDeliveries(pool, "producer")
        .insert(pool, WebhookEvents.EMAIL_SENT, domain, new JsonObject().put("marker", marker)).await();
    assertThat(inserted).isEqualTo(1);
    return pool.preparedQuery("SELECT id FROM webhook_deliveries WHERE payload->>'marker' = $1")
        .execute(Tuple.of(marker)).await().iterator().next().getUUID(0);
  }

  @Override
  public void clear() {
    pool.query("DELETE FROM webhook_deliveries").execute().await();
  }

  private static int attempts(UUID id) {
    return pool.preparedQuery("SELECT attempts FROM webhook_deliveries WHERE id = $1")
        .execute(Tuple.of(id)).await().iterator().next().getInteger(0);
  }

  @Test
  void theAttemptCountsAtTheClaimAndAReleaseTakesItBack() {
    UUID id = enqueue();
    WebhookDeliveries a = new WebhookDeliveries(pool, "node-a");
    assertThat(a.claim(10, LONG).await()).singleElement()
        .satisfies(c -> assertThat(c.attempt()).isEqualTo(1));
    a.release(List.of(id), Duration.ZERO).await();
    assertThat(attempts(id)).isZero();
  }

  @Test
  void aFailedAttemptBacksOffAndAFinishedDeliveryIsNeverClaimedAgain() {
    UUID id = enqueue();
    WebhookDeliveries a = new WebhookDeliveries(pool, "node-a");
    WebhookSettings settings = WebhookSettings.defaults();
    WebhookDeliveries.Claimed claimed = a.claim(10, LONG).await().get(0);
    assertThat(a.complete(claimed, new WebhookDeliveries.Attempt(503, "HTTP 503", 5), false, settings,
        Duration.ofHours(1)).await()).isEqualTo(WorkState.PENDING);
    assertThat(a.claim(10, LONG).await()).isEmpty();
    assertThat(a.nextDue().await()).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
    pool.preparedQuery("UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1")
        .execute(Tuple.of(id)).await();
    claimed = a.claim(10, LONG).await().get(0);
    assertThat(a.complete(claimed, new WebhookDeliveries.Attempt(200, null, 5), false, settings,
        Duration.ofHours(1)).await()).isEqualTo(WorkState.DELIVERED);
    assertThat(a.claim(10, LONG).await()).isEmpty();
    assertThat(a.nextDue().await()).isNull();
  }
}
