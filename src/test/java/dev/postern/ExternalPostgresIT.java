package dev.postern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.DebianPostgres;
import dev.postern.support.GatewayProcess;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POSTERN_PG_URL pointed at a PostgreSQL the gateway did not start (Debian's 15): migrations,
 * readiness and a clean stop that leaves the operator's server running. Skipped where Debian's
 * {@code postgresql} package is not installed ({@code apt-get install postgresql}).
 */
class ExternalPostgresIT {

  @TempDir Path work;

  @Test
  void gatewayRunsTheSameOnAnExternalPostgres15() throws Exception {
    assumeTrue(DebianPostgres.installed(), "Debian's postgresql package is not installed");
    try (DebianPostgres postgres = DebianPostgres.start()) {
      try (GatewayProcess gateway = GatewayProcess.start(work, Map.of(
          "POSTERN_DATA_DIR", work.resolve("data").toString(),
          "POSTERN_HTTP_HOST", "127.0.0.1",
          "POSTERN_PG_URL", postgres.url()))) {
        gateway.awaitReady(Duration.ofSeconds(60));
        assertThat(gateway.stdout()).contains("applied migration V001").doesNotContain("embedded PostgreSQL");
        assertThat(gateway.terminate(Duration.ofSeconds(30))).isZero();
      }
      assertThat(work.resolve("data/pg")).doesNotExist();
      Vertx vertx = Vertx.vertx();
      try {
        Pool pool = PgBuilder.pool().connectingTo(postgres.url()).using(vertx).build();
        String version = pool.query("SHOW server_version_num").execute().await().iterator().next().getString(0);
        assertThat(version).startsWith("15");
        long applied = pool.query("SELECT count(*) FROM schema_migrations").execute().await()
            .iterator().next().getLong(0);
        assertThat(applied).isEqualTo(dev.postern.db.Migrations.fromClasspath().all().size());
      } finally {
        vertx.close().await();
      }
    }
  }
}
