package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.PgFixture;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15 item 10 ("an acknowledged id answered 404 after a restart"): the gateway answers 200
 * once the accept's COMMIT returned, so every connection of its pool must commit synchronously.
 * Against a server whose database default is {@code synchronous_commit = off} (an operator's
 * tuning), PostgreSQL would answer COMMIT before the WAL flush and a crash of the server would
 * lose acknowledged mail. The gateway's pool overrides that default for its own sessions.
 */
class SynchronousCommitIT {

  @TempDir Path dataDir;
  private Vertx vertx;
  private String url;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    url = PgFixture.freshDatabaseUrl();
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    Pool admin = PgBuilder.pool().connectingTo(options).using(vertx).build();
    admin.query("ALTER DATABASE " + options.getDatabase() + " SET synchronous_commit = off").execute().await();
    admin.close().await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void thePoolCommitsSynchronouslyEvenWhereTheDatabaseDefaultIsOff() {
    // The setup is real: a plain session of this database starts with it off.
    Pool plain = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
    assertThat(setting(plain)).as("a plain session's synchronous_commit").isEqualTo("off");
    plain.close().await();

    Database database = Database.open(vertx, url, "POSTERN_PG_URL", 4, Duration.ofSeconds(5), dataDir)
        .await();
    try {
      // Every connection of the pool, not just the first: hold several at once.
      var connections = new java.util.ArrayList<io.vertx.sqlclient.SqlConnection>();
      for (int i = 0; i < 4; i++) {
        connections.add(database.pool().getConnection().await());
      }
      for (var connection : connections) {
        assertThat(connection.query("SHOW synchronous_commit").execute().await().iterator().next()
            .getString(0)).as("the gateway's sessions").isEqualTo("on");
      }
      connections.forEach(c -> c.close().await());
      // The LISTEN/NOTIFY subscriber's options carry it too.
      assertThat(database.connectOptions().getProperties()).containsEntry("synchronous_commit", "on");
    } finally {
      database.close().await();
    }
  }

  private static String setting(Pool pool) {
    return pool.query("SHOW synchronous_commit").execute().await().iterator().next().getString(0);
  }
}
