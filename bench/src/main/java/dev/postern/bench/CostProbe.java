package dev.postern.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a {@link CostSnapshot} of a running gateway from outside: its PostgreSQL (found through
 * {@code postmaster.pid} in the data directory) over one connection of its own, and the CPU of
 * the gateway, the PostgreSQL processes and this JVM from /proc. Nothing of the product is
 * imported or asked.
 *
 * <p>{@link #snapshot()} blocks (it waits for the query): call it from a plain thread, never an
 * event loop. The connection lives on this probe's own one-thread Vert.x instance, so the load
 * generator's event loop never runs it.
 */
final class CostProbe implements AutoCloseable {

  /**
   * What the measuring adds to {@code xact_commit} of the gateway's database in a window:
   * nothing, as each snapshot's transaction is rolled back (it counts in {@code xact_rollback}).
   * A committed read would count, but only once this backend flushed its statistics, which an
   * idle backend does up to 10 s later (PostgreSQL's {@code PGSTAT_IDLE_INTERVAL}): a count
   * that depends on the window's length.
   */
  static final int PROBE_COMMITS_PER_WINDOW = 0;

  /** Everything read from PostgreSQL, in one statement; tables outside public keep their schema. */
  private static final String SNAPSHOT_SQL = """
      SELECT d.xact_commit, d.xact_rollback,
             pg_current_wal_lsn()::text AS lsn,
             coalesce((SELECT json_agg(json_build_array(
                          CASE WHEN schemaname = 'public' THEN relname
                               ELSE schemaname || '.' || relname END,
                          n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del))
                       FROM pg_stat_user_tables), '[]')::text AS tables
      FROM pg_stat_database d WHERE d.datname = current_database()
      """;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PROC = Path.of("/proc");

  private final Vertx vertx;
  private final PgConnection connection;
  private final long gatewayPid;
  private final long postmasterPid;
  private final long nanosPerTick;

  private CostProbe(Vertx vertx, PgConnection connection, long gatewayPid, long postmasterPid,
      long clockTicksPerSecond) {
    this.vertx = vertx;
    this.connection = connection;
    this.gatewayPid = gatewayPid;
    this.postmasterPid = postmasterPid;
    this.nanosPerTick = 1_000_000_000L / clockTicksPerSecond;
  }

  /**
   * @param pgData the gateway's PostgreSQL data directory (embedded: {@code <data dir>/pg})
   * @param gatewayPid the gateway JVM, or a process that started it (the first {@code java}
   *     among it and its descendants is measured)
   */
  static CostProbe open(Path pgData, long gatewayPid, String user, String database)
      throws Exception {
    PostmasterPid postmaster = PostmasterPid.read(pgData);
    long jvm = javaProcess(gatewayPid);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      PgConnection connection = PgConnection.connect(vertx, new PgConnectOptions()
              .setHost(postmaster.host()).setPort(postmaster.port()).setUser(user)
              .setDatabase(database).setPassword(""))
          .await(30, TimeUnit.SECONDS);
      System.err.printf("[cost] measuring gateway pid %d, PostgreSQL pid %d (%s:%d, database %s)%n",
          jvm, postmaster.pid(), postmaster.host(), postmaster.port(), database);
      CostProbe probe = new CostProbe(vertx, connection, jvm, postmaster.pid(),
          clockTicksPerSecond());
      // One snapshot now, thrown away, before any load, so the window's first one loads no
      // classes mid-run. Every run's first measured second held a 50-200 ms stall, wherever
      // the warm-up ended (session 8); warmed, one run showed 34 ms there. Not settled.
      probe.snapshot();
      return probe;
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  CostSnapshot snapshot() throws Exception {
    List<ProcStat> processes = ProcStat.all(PROC);
    long gateway = processes.stream().filter(p -> p.pid() == gatewayPid).findFirst()
        .map(ProcStat::ownTicks).orElseThrow(() -> new IOException("gateway pid " + gatewayPid
            + " is gone"));
    long postgres = ProcStat.postgresTicks(postmasterPid, processes);
    // With its reaped children: a command this JVM ran and waited for (smtp-source) is load.
    long self = ProcStat.read(PROC, ProcessHandle.current().pid())
        .map(ProcStat::ticksWithReapedChildren).orElse(0L);
    long now = System.nanoTime();
    Transaction tx = connection.begin().await(30, TimeUnit.SECONDS);
    Row row;
    try {
      row = connection.query(SNAPSHOT_SQL).execute().await(30, TimeUnit.SECONDS).iterator().next();
    } finally {
      tx.rollback().await(30, TimeUnit.SECONDS);
    }
    return new CostSnapshot(now, row.getLong("xact_commit"), row.getLong("xact_rollback"),
        CostSnapshot.parseLsn(row.getString("lsn")), tables(row.getString("tables")),
        gateway * nanosPerTick, postgres * nanosPerTick, self * nanosPerTick);
  }

  /**
   * The single number a query returns (e.g. {@code SELECT count(*) FROM ...}), read in a
   * transaction that is rolled back like the snapshots', so it adds no commit to a window.
   */
  long count(String sql) throws Exception {
    Transaction tx = connection.begin().await(30, TimeUnit.SECONDS);
    try {
      Row row = connection.query(sql).execute().await(30, TimeUnit.SECONDS).iterator().next();
      return row.getLong(0);
    } finally {
      tx.rollback().await(30, TimeUnit.SECONDS);
    }
  }

  /** {@code [[name, ins, upd, hot_upd, del], ...]} as the snapshot query aggregates it. */
  static Map<String, CostSnapshot.TableRows> tables(String json) throws IOException {
    Map<String, CostSnapshot.TableRows> tables = new HashMap<>();
    for (JsonNode t : JSON.readTree(json)) {
      tables.put(t.get(0).asText(), new CostSnapshot.TableRows(t.get(1).asLong(),
          t.get(2).asLong(), t.get(3).asLong(), t.get(4).asLong()));
    }
    return tables;
  }

  /** The first {@code java} process at or under {@code pid} (a launcher script's JVM). */
  static long javaProcess(long pid) {
    ProcessHandle start = ProcessHandle.of(pid)
        .orElseThrow(() -> new IllegalArgumentException("no process " + pid));
    if (isJava(start)) {
      return pid;
    }
    return start.descendants().filter(CostProbe::isJava).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no java process at or under " + pid))
        .pid();
  }

  private static boolean isJava(ProcessHandle p) {
    return p.info().command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false);
  }

  /** USER_HZ, the unit of /proc's CPU times: 100 on every common Linux, asked to be sure. */
  static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor() == 0 && out.matches("\\d+")) {
        return Long.parseLong(out);
      }
    } catch (IOException e) {
      // fall through
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  @Override
  public void close() {
    try {
      connection.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the database may already be gone at the end of a run
    } finally {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // nothing left to release
      }
    }
  }
}
