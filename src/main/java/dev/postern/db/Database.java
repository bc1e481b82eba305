package dev.postern.db;

import dev.postern.StartupException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL, the one store of record: either the embedded server in the data directory or the
 * configured external server. Owns the connection pool; {@link #close()} closes it and stops the
 * embedded server.
 */
public final class Database {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /**
   * The longest SQL text whose prepared statement each connection keeps (the client's default is
   * 2 048 characters): every statement of the hot paths must fit, or it is parsed and planned
   * again on every execution.
   */
  public static final int PREPARED_STATEMENT_SQL_LIMIT = 32 * 1024;

  private final Pool pool;
  private final PgConnectOptions options;
  private final EmbeddedPostgresServer embedded;
  private final WorkerExecutor blocking;

  private Database(Pool pool, PgConnectOptions options, EmbeddedPostgresServer embedded,
      WorkerExecutor blocking) {
    this.pool = pool;
    this.options = options;
    this.embedded = embedded;
    this.blocking = blocking;
  }

  /**
   * @param url a postgresql:// URL, or null to start the embedded server in {@code dataDir/pg}
   * @param origin the configuration key (and variable) the URL came from, for error messages
   */
  public static Future<Database> open(Vertx vertx, String url, String origin, int poolSize,
      Duration connectTimeout, Path dataDir) {
    // initdb and pg_ctl fork and wait: they get their own worker, allowed to run for minutes.
    WorkerExecutor blocking = vertx.createSharedWorkerExecutor("postern-db-admin", 1, 5,
        java.util.concurrent.TimeUnit.MINUTES);
    Future<Started> started;
    if (url == null) {
      Path directory = dataDir.resolve("pg");
      started = blocking.executeBlocking(() -> {
        long begin = System.nanoTime();
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(directory);
        log.info("embedded PostgreSQL ready in {} ms ({})", (System.nanoTime() - begin) / 1_000_000,
            directory);
        return new Started(server.connectOptions(), server);
      }, false).recover(e -> Future.failedFuture(new StartupException(
          "embedded PostgreSQL in " + directory + " could not start: " + oneLine(e))));
    } else {
      PgConnectOptions options;
      try {
        options = PgConnectOptions.fromUri(url);
      } catch (RuntimeException e) {
        return Future.failedFuture(new StartupException(origin + ": not a valid PostgreSQL URL"));
      }
      started = Future.succeededFuture(new Started(options, null));
    }
    return started.compose(s -> {
      PgConnectOptions options = s.options()
          .setPipeliningLimit(256)
          .setCachePreparedStatements(true)
          // The client caches only statements up to 2 048 characters by default; the accept
          // path's one INSERT of every table (send.OutboundInsert, 2.7 KB) and the MX's are
          // longer, so each batch was parsed, analysed and planned again: 0.8 ms of
          // PostgreSQL CPU per commit, more than executing it (measured with perf, session 8).
          .setPreparedStatementCacheSqlLimit(PREPARED_STATEMENT_SQL_LIMIT);
      // A 200 is sent once the accept's COMMIT returned, so that return must mean durable: with
      // synchronous_commit off (a server, database or role default an operator may have set)
      // PostgreSQL answers before the WAL flush and a crash of the server loses the last
      // acknowledged commits, which then answer 404. A startup-packet setting outranks those
      // defaults (PostgreSQL "Setting Parameters", §20.1.4); fsync=off is beyond a client's reach.
      options.addProperty("synchronous_commit", "on");
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(poolSize).setName("postern-pg"))
          .with(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()))
          .connectingTo(options)
          .using(vertx)
          .build();
      Database database = new Database(pool, options, s.embedded(), blocking);
      return database.ping()
          .recover(e -> database.close().transform(x -> Future.failedFuture(new StartupException(
              (s.embedded() == null ? origin + ": cannot connect to " : "cannot connect to embedded PostgreSQL at ")
                  + options.getHost() + ":" + options.getPort() + " (" + oneLine(e) + ")"))))
          .map(database);
    });
  }

  private record Started(PgConnectOptions options, EmbeddedPostgresServer embedded) {}

  /**
   * Whether only this process uses the database: the embedded server it started in its data
   * directory (PostgreSQL's postmaster.pid lock keeps a second one off the same directory).
   */
  public boolean exclusive() {
    return embedded != null;
  }

  public Pool pool() {
    return pool;
  }

  /** Connection settings, e.g. for a LISTEN/NOTIFY subscriber. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options);
  }

  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /** Closes the pool, then stops the embedded server (fast shutdown) if this process started it. */
  public Future<Void> close() {
    Future<Void> closed = pool.close().recover(e -> Future.succeededFuture());
    if (embedded == null) {
      return closed.eventually(blocking::close);
    }
    return closed
        .compose(v -> blocking.<Void>executeBlocking(() -> {
          embedded.close();
          log.info("embedded PostgreSQL stopped");
          return null;
        }, false))
        .eventually(blocking::close);
  }

  /** Stops the embedded server from a JVM shutdown hook, when the event loops may be gone. */
  public void stopEmbeddedNow() {
    if (embedded != null) {
      embedded.close();
    }
  }

  static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
