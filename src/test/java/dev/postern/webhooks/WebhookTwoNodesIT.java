package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.support.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two whole gateways on one database, wired as in production (NOTIFY wake-ups, default
 * settings): every event emitted on either node reaches the receiver exactly once.
 */
class WebhookTwoNodesIT {

  private static TestGateway first;
  private static TestGateway second;
  private static WebhookReceiver receiver;
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() {
    first = TestGateway.start();
    second = TestGateway.start(Map.of("POSTERN_PG_URL", first.pgUrl(),
        "POSTERN_MASTER_SECRET", first.masterSecret()));
    receiver = WebhookReceiver.start();
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(first.pgUrl()).using(vertx).build();
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
    receiver.close();
    second.close();
    first.close();
  }

  @Test
  void eachEventIsDeliveredExactlyOnceAcrossTwoNodes() {
    KeyVault vault = new KeyVault(MasterSecrets.parse(first.masterSecret()));
    UUID domain = WebhookRows.domain(pool, "nodes.example");
    WebhookRows.Webhook hook = WebhookRows.insert(pool, vault, receiver.url("/nodes"),
        List.of("email.sent", "email.delivered"), domain);
    receiver.expectSecret("/nodes", hook.secret());

    int events = 300;
    List<Future<Void>> emitted = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      WebhookDispatcher node = (i % 2 == 0 ? first : second).core().webhookDispatcher();
      emitted.add(node.emit(i % 3 == 0 ? WebhookEvents.EMAIL_SENT : WebhookEvents.EMAIL_DELIVERED,
          domain, WebhookDispatcherIT.email("em_" + i)));
    }
    Future.all(emitted).await();

    WebhookDispatcherIT.eventually(Duration.ofSeconds(60),
        () -> assertThat(receiver.received("/nodes")).hasSizeGreaterThanOrEqualTo(events));
    // Settled: no delivery of this webhook is pending or leased on either node, and every POST
    // the receiver saw has its answered attempt row (written after the response), so no send
    // is in flight that could still arrive as a duplicate.
    WebhookDispatcherIT.eventually(Duration.ofSeconds(30), () -> {
      assertThat(count("""
          SELECT count(*) FROM webhook_deliveries
           WHERE webhook_id = $1 AND (status = 'pending' OR lease_owner IS NOT NULL)""", hook.id()))
          .isZero();
      assertThat(count("""
          SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
           WHERE d.webhook_id = $1 AND a.response_code IS NOT NULL""", hook.id()))
          .isEqualTo(receiver.received("/nodes").size());
    });
    List<WebhookReceiver.Received> got = receiver.received("/nodes");
    assertThat(got).hasSize(events).allMatch(WebhookReceiver.Received::signatureValid);
    Map<String, Long> perEmail = got.stream().collect(Collectors.groupingBy(
        r -> r.json().getJsonObject("data").getString("email_id"), Collectors.counting()));
    assertThat(perEmail).hasSize(events).allSatisfy((id, n) -> assertThat(n).isEqualTo(1L));
    assertThat(got.stream().map(WebhookReceiver.Received::id).distinct().count()).isEqualTo(events);
    long pending = pool.query("SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'")
        .execute().await().iterator().next().getLong(0);
    assertThat(pending).isZero();
  }

  private static long count(String sql, UUID webhookId) {
    return pool.preparedQuery(sql).execute(Tuple.of(webhookId)).await().iterator().next().getLong(0);
  }
}
