package dev.postern.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.EmbeddedPostgresServer;
import dev.postern.db.Migrations;
import dev.postern.inbound.filing.InboundWorkQueue;
import dev.postern.webhooks.WebhookDeliveries;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The work queues' claims and the delivery settle, as the embedded server plans them on a fresh
 * install: empty tables never analyzed. Each connection plans these statements once and keeps
 * the plan until the next ANALYZE of a table in it (autovacuum, up to a minute later), so a plan
 * made while the tables are small is the plan while they grow. A sequential scan in it reads the
 * whole table on every call: at PostgreSQL's default {@code random_page_cost} (4) the settle
 * hash-joined sequential scans of outbound_recipients, outbound_messages and delivery_queue and
 * took 5-10 ms per call in e2e-relay's first 20 s (session 18). The generic plan is what a
 * cached statement runs ({@code plan_cache_mode} forces it for the settle's parameters; the
 * claims have none).
 */
class QueuePlansIT {

  @TempDir static Path dataDir;
  private static Vertx vertx;
  private static EmbeddedPostgresServer server;
  private static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = EmbeddedPostgresServer.start(dataDir.resolve("pg"));
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(server.connectOptions()).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
  }

  @AfterAll
  static void stop() {
    if (pool != null) {
      pool.close().await();
    }
    if (server != null) {
      server.close();
    }
    vertx.close().await();
  }

  @Test
  void theDeliverySettleLooksRowsUpByIndexEvenOnEmptyTables() {
    List<String> plan = withConnection(conn -> {
      conn.query("SET plan_cache_mode = force_generic_plan").execute().await();
      conn.query("PREPARE settle(text, uuid[], text[], bigint[], text[], uuid[], text[], text[],"
          + " text[], uuid[], text[], text[], text[], text[]) AS " + PgOutboundQueue.SETTLE)
          .execute().await();
      return lines(conn, """
          EXPLAIN EXECUTE settle('node', ARRAY[gen_random_uuid()], ARRAY['delivered'],
            ARRAY[NULL::bigint], ARRAY[NULL::text], ARRAY[gen_random_uuid()], ARRAY['r@example.net'],
            ARRAY['delivered'], ARRAY['250 ok'], ARRAY[gen_random_uuid()], ARRAY['delivered'],
            ARRAY['r@example.net'], ARRAY['relay'], ARRAY['250 ok'])""");
    });
    assertThat(plan).as("the settle's generic plan").anyMatch(l -> l.contains("Index Scan"))
        .noneMatch(l -> l.contains("Seq Scan"));
  }

  @Test
  void everyClaimLooksRowsUpByIndexEvenOnEmptyTables() {
    List<PgWorkQueue<?>> queues = List.of(new PgOutboundQueue(pool, "node-plans"),
        new InboundWorkQueue(pool, "node-plans"), new WebhookDeliveries(pool, "node-plans"));
    for (PgWorkQueue<?> queue : queues) {
      String claim = queue.claimSql(8, 60_000);
      List<String> plan = withConnection(conn -> lines(conn, "EXPLAIN " + claim));
      assertThat(plan).as(queue.getClass().getSimpleName() + "'s claim")
          .anyMatch(l -> l.contains("Index Scan"))
          .noneMatch(l -> l.contains("Seq Scan"));
    }
  }

  private static List<String> lines(SqlConnection conn, String explain) {
    List<String> lines = new ArrayList<>();
    for (Row row : conn.query(explain).execute().await()) {
      lines.add(row.getString(0));
    }
    return lines;
  }

  private static <T> T withConnection(java.util.function.Function<SqlConnection, T> work) {
    SqlConnection conn = pool.getConnection().await();
    try {
      return work.apply(conn);
    } finally {
      conn.close().await();
    }
  }
}
