package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.PgFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provokes, against a real PostgreSQL, each way the database vanishes under a request, and checks
 * {@link DatabaseFailures} calls every one "unavailable". If a Vert.x upgrade rewords or retypes
 * one of these failures, this test fails instead of a user seeing a 500.
 */
class DatabaseFailuresIT {

  private Vertx vertx;
  private String url;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    url = PgFixture.freshDatabaseUrl();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void aQueryOnAClosedPoolIsUnavailable() {
    Pool pool = pool(new PoolOptions().setMaxSize(1));
    pool.query("SELECT 1").execute().await();
    pool.close().await();
    assertUnavailable(pool.query("SELECT 1").execute());
  }

  @Test
  void aQueryWaitingForAConnectionBeyondTheTimeoutIsUnavailable() {
    Pool pool = pool(new PoolOptions().setMaxSize(1)
        .setConnectionTimeout(200).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS));
    SqlConnection held = pool.getConnection().await();
    try {
      assertUnavailable(pool.query("SELECT 1").execute());
    } finally {
      held.close().await();
      pool.close().await();
    }
  }

  @Test
  void aConnectionTerminatedByTheServerIsUnavailableMidQueryAndAfterwards() {
    Pool pool = pool(new PoolOptions().setMaxSize(2));
    SqlConnection victim = pool.getConnection().await();
    int pid = victim.query("SELECT pg_backend_pid()").execute().await().iterator().next().getInteger(0);
    Future<?> midQuery = victim.query("SELECT pg_sleep(30)").execute();
    pool.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(pid)).await();
    assertUnavailable(midQuery);
    // The pool may hand out a connection in this state just before it notices: the command
    // fails with "Connection is not active now" (what DatabaseOutageIT once saw as a 500).
    assertUnavailable(victim.query("SELECT 1").execute());
    victim.close();
    pool.close().await();
  }

  @Test
  void aServerThatRefusesConnectionsIsUnavailable() {
    PgConnectOptions nowhere = PgConnectOptions.fromUri(url).setPort(FreePort.next());
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .with(new NetClientOptions().setConnectTimeout(2_000))
        .connectingTo(nowhere).using(vertx).build();
    assertUnavailable(pool.query("SELECT 1").execute());
    pool.close().await();
  }

  private Pool pool(PoolOptions options) {
    return PgBuilder.pool().with(options).connectingTo(url).using(vertx).build();
  }

  private static void assertUnavailable(Future<?> query) {
    Throwable failure = query.transform(r -> Future.succeededFuture(r.cause())).await();
    assertThat(failure).as("the query should have failed").isNotNull();
    assertThat(DatabaseFailures.isUnavailable(failure))
        .as("classified as unavailable: %s", failure).isTrue();
  }
}
