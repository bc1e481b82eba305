package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerIT {

  @TempDir Path dataDir;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private String query(EmbeddedPostgresServer server, String sql) {
    Pool pool = PgBuilder.pool().connectingTo(server.connectOptions()).using(vertx).build();
    try {
      var rows = pool.query(sql).execute().await();
      return rows.size() == 0 ? null : String.valueOf(rows.iterator().next().getValue(0));
    } finally {
      pool.close().await();
    }
  }

  @Test
  void commitsAreDurableDespiteTheLauncherDefaults() throws Exception {
    // zonky's launcher passes -F (fsync off) and synchronous_commit=off; an accepted message must
    // survive a power cut, so both are forced back on.
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir.resolve("pg"))) {
      assertThat(query(server, "SHOW fsync")).isEqualTo("on");
      assertThat(query(server, "SHOW synchronous_commit")).isEqualTo("on");
      assertThat(query(server, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void commitsDoNotWaitBehindSegmentZeroingOrWritebackBursts() throws Exception {
    // The accept path's p99: new WAL segments are not zero-filled, and backends hand evicted
    // pages to the kernel as they go instead of leaving them for a 30-second burst (session 14).
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir.resolve("pg"))) {
      assertThat(query(server, "SHOW wal_init_zero")).isEqualTo("off");
      assertThat(query(server, "SHOW backend_flush_after")).isEqualTo("256kB");
    }
  }

  @Test
  void dataSurvivesARestartInTheSameDirectory() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir.resolve("pg"))) {
      query(server, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    }
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir.resolve("pg"))) {
      assertThat(query(server, "SELECT v FROM kept")).isEqualTo("still here");
    }
  }

  @Test
  void aSecondGatewayCannotTakeADirectoryInUse() throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir.resolve("pg"))) {
      assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir.resolve("pg")))
          .hasMessageContaining("in use by another running Postern process");
      assertThat(query(server, "SELECT 1")).isEqualTo("1");
    }
  }
}
