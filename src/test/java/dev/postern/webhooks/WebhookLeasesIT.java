package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Migrations;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.support.PgFixture;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leases: a dead node's claim is taken over once it expires; a graceful stop lets a send finish. */
class WebhookLeasesIT {

  private static Vertx vertx;
  private static Pool pool;
  private static WorkerExecutor cpu;
  private static KeyVault vault;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
    cpu = vertx.createSharedWorkerExecutor("test-cpu", 2);
    vault = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));
    receiver = WebhookReceiver.start();
  }

  @AfterAll
  static void stop() {
    receiver.close();
    pool.close().await();
    vertx.close().await();
  }

  private static Row delivery(UUID webhookId) {
    return pool.preparedQuery("SELECT status, attempts, lease_owner, lease_until FROM webhook_deliveries WHERE webhook_id = $1")
        .execute(Tuple.of(webhookId)).await().iterator().next();
  }

  @Test
  void expiredLeaseOfADeadNodeIsTakenOver() {
    UUID domain = WebhookRows.domain(pool, "dead.example");
    WebhookRows.Webhook hook = WebhookRows.insert(pool, vault, receiver.url("/dead"), List.of("*"), domain);
    receiver.expectSecret("/dead", hook.secret());
    WebhookDispatcher dispatcher = new WebhookDispatcher(vertx, pool,
        new WebhookDeliveries(pool, "node-" + java.util.UUID.randomUUID()), vault, cpu, Clock.systemUTC(),
        WebhookDispatcherIT.FAST);
    dispatcher.emit(WebhookEvents.EMAIL_SENT, domain, WebhookDispatcherIT.email("em_dead")).await();
    // A node claimed it and died: its lease runs for another second.
    pool.preparedQuery("""
            UPDATE webhook_deliveries SET lease_owner = 'node-dead', lease_until = now() + interval '1 second',
                   attempts = 1 WHERE webhook_id = $1""").execute(Tuple.of(hook.id())).await();
    long started = System.currentTimeMillis();
    dispatcher.start().await();
    try {
      WebhookDispatcherIT.eventually(Duration.ofSeconds(10),
          () -> assertThat(receiver.received("/dead")).hasSize(1));
      assertThat(receiver.received("/dead").get(0).receivedAtMillis() - started).isGreaterThanOrEqualTo(700);
      WebhookDispatcherIT.eventually(Duration.ofSeconds(5),
          () -> assertThat(delivery(hook.id()).getString("status")).isEqualTo("delivered"));
    } finally {
      dispatcher.stop().await();
    }
  }

  @Test
  void gracefulStopLetsTheSendInFlightFinishAndLeavesNoLease() {
    UUID domain = WebhookRows.domain(pool, "stop.example");
    WebhookRows.Webhook hook = WebhookRows.insert(pool, vault, receiver.url("/stop"), List.of("*"), domain);
    receiver.expectSecret("/stop", hook.secret());
    receiver.script("/stop", WebhookReceiver.HANG);
    WebhookDispatcher dispatcher = new WebhookDispatcher(vertx, pool,
        new WebhookDeliveries(pool, "node-" + java.util.UUID.randomUUID()), vault, cpu, Clock.systemUTC(),
        WebhookDispatcherIT.FAST);
    dispatcher.start().await();
    dispatcher.emit(WebhookEvents.EMAIL_SENT, domain, WebhookDispatcherIT.email("em_stop")).await();
    WebhookDispatcherIT.eventually(Duration.ofSeconds(5),
        () -> assertThat(receiver.received("/stop")).hasSize(1));

    long before = System.nanoTime();
    dispatcher.stop().await();
    long tookMillis = (System.nanoTime() - before) / 1_000_000;
    assertThat(tookMillis).isLessThan(3_000); // the 800 ms request deadline, not the lease
    Row row = delivery(hook.id());
    assertThat(row.getString("status")).isEqualTo("pending");
    assertThat(row.getString("lease_owner")).isNull();
    assertThat(row.getInteger("attempts")).isEqualTo(1);
    long logged = pool.query("SELECT count(*) FROM webhook_attempts").execute().await()
        .iterator().next().getLong(0);
    assertThat(logged).isGreaterThanOrEqualTo(1);
  }
}
