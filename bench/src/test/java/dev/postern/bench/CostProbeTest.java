package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe against a real PostgreSQL (embedded, as the gateway's default): a known workload
 * between two snapshots shows up as exactly its commits and rows, and the probe's own reads
 * add no commit.
 */
class CostProbeTest {

  @TempDir
  static Path data;
  static EmbeddedPostgres postgres;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on")
        .setServerConfig("listen_addresses", "127.0.0.1").start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    postgres.close();
  }

  private static PgConnection connect() throws Exception {
    return PgConnection.connect(vertx, new PgConnectOptions().setHost("127.0.0.1")
        .setPort(postgres.getPort()).setUser("postgres").setDatabase("postgres")
        .setPassword("")).await(30, TimeUnit.SECONDS);
  }

  private static void run(PgConnection c, String sql) throws Exception {
    c.query(sql).execute().await(30, TimeUnit.SECONDS);
  }

  @Test
  void knownWorkloadShowsAsItsCommitsRowsAndWal() throws Exception {
    // Opened before the window: a backend's start is a transaction too (InitPostgres commits one).
    PgConnection work = connect();
    // No autovacuum: its transactions would count in the database's commits.
    run(work, "CREATE TABLE bench_probe_t (id int PRIMARY KEY, v text)"
        + " WITH (autovacuum_enabled = off)");
    flushStatistics(work);

    try (CostProbe probe = CostProbe.open(data, ProcessHandle.current().pid(), "postgres",
        "postgres")) {
      CostSnapshot before = probe.snapshot();
      for (int i = 0; i < 50; i++) { // 50 commits
        run(work, "INSERT INTO bench_probe_t VALUES (" + i + ", repeat('x', 100))");
      }
      run(work, "BEGIN; UPDATE bench_probe_t SET v = 'y' WHERE id < 10; COMMIT"); // 1 commit
      run(work, "DELETE FROM bench_probe_t WHERE id >= 45"); // 1 commit
      flushStatistics(work); // 1 commit
      CostSnapshot middle = probe.snapshot();
      CostSnapshot after = probe.snapshot();

      MessageCost cost = MessageCost.between(before, after, 53,
          CostProbe.PROBE_COMMITS_PER_WINDOW);

      assertThat(after.xactCommit() - before.xactCommit()).isEqualTo(53);
      assertThat(cost.commitsPerMessage()).isEqualTo(1.0);
      // The probe's own transactions are published once its backend flushes (at most once a
      // second): wait for that, seen as its rollbacks, then none of them may be a commit.
      CostSnapshot published = awaitSnapshot(probe, s -> s.xactRollback() > middle.xactRollback()
          || s.xactCommit() > middle.xactCommit());
      assertThat(published.xactCommit()).isEqualTo(middle.xactCommit());
      assertThat(cost.tables()).containsExactly(
          new MessageCost.TableCost("bench_probe_t", 50 / 53.0, 10 / 53.0,
              cost.tables().get(0).hotUpd(), 5 / 53.0));
      // 50 durable 100-byte rows and their index entries: kilobytes, not nothing, not megabytes.
      assertThat(after.walLsn() - before.walLsn()).isBetween(5_000L, 2_000_000L);
      assertThat(after.postgresCpuNanos()).isPositive();
      assertThat(after.gatewayCpuNanos()).isGreaterThanOrEqualTo(before.gatewayCpuNanos());
    } finally {
      work.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Polls snapshots until one satisfies the condition (10 s at most). */
  private static CostSnapshot awaitSnapshot(CostProbe probe, Predicate<CostSnapshot> condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      CostSnapshot s = probe.snapshot();
      if (condition.test(s)) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s; last " + s);
      }
      Thread.sleep(100);
    }
  }

  /**
   * A backend publishes its statistics at most once a second when it goes idle; this one
   * statement (itself one commit) makes it publish everything before it answers, so the next
   * snapshot sees it without a wait.
   */
  private static void flushStatistics(PgConnection c) throws Exception {
    run(c, "SELECT pg_stat_force_next_flush()");
  }

  @Test
  void countReadsOneNumberAndCommitsNothing() throws Exception {
    PgConnection work = connect();
    try (CostProbe probe = CostProbe.open(data, ProcessHandle.current().pid(), "postgres",
        "postgres")) {
      run(work, "CREATE TABLE bench_count_t (source text) WITH (autovacuum_enabled = off)");
      run(work, "INSERT INTO bench_count_t SELECT CASE WHEN i % 3 = 0 THEN 'smtp' ELSE 'api' END"
          + " FROM generate_series(1, 30) i");
      flushStatistics(work);
      CostSnapshot before = probe.snapshot();

      long smtp = probe.count("SELECT count(*) FROM bench_count_t WHERE source = 'smtp'");

      assertThat(smtp).isEqualTo(10);
      // Published once the probe's backend flushes: seen as its rollbacks, never a commit.
      CostSnapshot published = awaitSnapshot(probe, s -> s.xactRollback() > before.xactRollback()
          || s.xactCommit() > before.xactCommit());
      assertThat(published.xactCommit()).isEqualTo(before.xactCommit());
    } finally {
      work.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void tableCountersAreReadFromTheAggregatedJson() throws Exception {
    assertThat(CostProbe.tables("[[\"delivery_queue\", 1, 2, 3, 4], [\"audit.log\", 5, 0, 0, 0]]"))
        .containsEntry("delivery_queue", new CostSnapshot.TableRows(1, 2, 3, 4))
        .containsEntry("audit.log", new CostSnapshot.TableRows(5, 0, 0, 0)).hasSize(2);
    assertThat(CostProbe.tables("[]")).isEmpty();
  }
}
