package dev.postern.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Migrations;
import dev.postern.support.Eventually;
import dev.postern.support.PgFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditLogIT {

  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static AuditEntry entry(String action) {
    return new AuditEntry(Instant.now(), ActorType.ADMIN, null, action, "POST", "/admin/v1/x", 201,
        "127.0.0.1", null, new JsonObject().put("n", action));
  }

  private List<String> actionsInIdOrder() {
    List<String> out = new ArrayList<>();
    pool.query("SELECT action FROM audit_log ORDER BY id").execute().await()
        .forEach(row -> out.add(row.getString(0)));
    return out;
  }

  private void awaitRows(int n) {
    Eventually.until(Duration.ofSeconds(10), () -> actionsInIdOrder().size() >= n,
        () -> actionsInIdOrder().size() + " rows, expected " + n);
  }

  @Test
  void recordedEntriesAreWrittenByTheTimerInRecordingOrder() {
    AuditLog audit = new AuditLog(vertx, pool, new AuditLog.Settings(7, Duration.ofMillis(50), 1000, 3));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      expected.add("a" + i);
      audit.record(entry("a" + i));
    }
    awaitRows(40);
    assertThat(actionsInIdOrder()).containsExactlyElementsOf(expected);
    // The rows can be visible before the writer has counted its last batch; close waits for it.
    audit.close().await();
    assertThat(audit.written()).isEqualTo(40);
  }

  @Test
  void everyColumnSurvivesIncludingNullsNulBytesAndAnOversizedActorHeader() throws Exception {
    AuditLog audit = new AuditLog(vertx, pool);
    UUID key = UUID.randomUUID();
    audit.record(new AuditEntry(Instant.parse("2025-01-02T03:04:05Z"), ActorType.API_KEY, key,
        "POST /v1/emails", "POST", "/v1/emails\u0000x", 200, "10.0.0.1", "é".repeat(2000),
        new JsonObject().put("s", "nul\u0000here")));
    audit.record(new AuditEntry(null, null, null, null, null, null, null, null, null, null));
    audit.close().await();
    var rows = pool.query("SELECT * FROM audit_log ORDER BY id").execute().await();
    assertThat(rows.size()).isEqualTo(2);
    var first = rows.iterator().next();
    assertThat(first.getString("actor_type")).isEqualTo("api_key");
    assertThat(first.getUUID("api_key_id")).isEqualTo(key);
    assertThat(first.getOffsetDateTime("occurred_at").toInstant()).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
    assertThat(first.getString("path")).isEqualTo("/v1/emails\uFFFDx");
    assertThat(first.getString("actor_header").getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(1024);
    assertThat(first.getInteger("status")).isEqualTo(200);
  }

  @Test
  void closeFlushesEverythingQueuedThenRefusesMore() {
    AuditLog audit = new AuditLog(vertx, pool, new AuditLog.Settings(100, Duration.ofHours(1), 10_000, 3));
    for (int i = 0; i < 1234; i++) {
      audit.record(entry("c" + i));
    }
    audit.close().await();
    assertThat(actionsInIdOrder()).hasSize(1234).startsWith("c0", "c1").endsWith("c1233");
    audit.record(entry("late"));
    assertThat(audit.dropped()).isEqualTo(1);
  }

  @Test
  void recordFromManyThreadsLosesNothing() throws Exception {
    AuditLog audit = new AuditLog(vertx, pool);
    int threads = 8;
    int each = 500;
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int n = t;
      new Thread(() -> {
        for (int i = 0; i < each; i++) {
          audit.record(entry("t" + n + "-" + i));
        }
        done.countDown();
      }).start();
    }
    done.await();
    audit.close().await();
    assertThat(actionsInIdOrder()).hasSize(threads * each);
  }

  @Test
  void aFullBatchIsWrittenAtOnceNotAtTheNextTick() {
    // The interval is an hour: only a full batch can have written these rows.
    AuditLog audit = new AuditLog(vertx, pool, new AuditLog.Settings(25, Duration.ofHours(1), 1000, 3));
    for (int i = 0; i < 60; i++) {
      audit.record(entry("b" + i));
    }
    awaitRows(50);
    List<String> written = actionsInIdOrder();
    assertThat(written).hasSize(50).startsWith("b0").endsWith("b49");
    audit.close().await();
    assertThat(actionsInIdOrder()).hasSize(60).endsWith("b59");
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfGrowing() {
    // A batch larger than the queue: nothing is written while the test fills it.
    AuditLog audit = new AuditLog(vertx, pool, new AuditLog.Settings(1000, Duration.ofHours(1), 100, 3));
    for (int i = 0; i < 150; i++) {
      audit.record(entry("q" + i));
    }
    assertThat(audit.dropped()).isEqualTo(50);
    audit.close().await();
    assertThat(actionsInIdOrder()).hasSize(100);
  }

  @Test
  void aDatabaseOutageNeverBlocksRecordAndBatchesAreDroppedAfterBoundedRetries() {
    Pool closed = PgBuilder.pool().connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    closed.close().await();
    AuditLog audit = new AuditLog(vertx, closed, new AuditLog.Settings(10, Duration.ofMillis(20), 1000, 3));
    long start = System.nanoTime();
    for (int i = 0; i < 500; i++) {
      audit.record(entry("x" + i));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    Eventually.until(Duration.ofSeconds(10), () -> audit.dropped() > 0, () -> "no batch dropped yet");
    assertThat(audit.dropped()).isGreaterThanOrEqualTo(10);
    audit.close().await();
    assertThat(audit.dropped()).isEqualTo(500);
    assertThat(audit.written()).isZero();
  }
}
