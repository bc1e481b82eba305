package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * Real PostgreSQL for tests (TESTING.md): one embedded server per test JVM, a fresh database per
 * caller of {@link #freshDatabaseUrl()}. When {@code POSTERN_TEST_PG_URL} names a server (a
 * superuser URL), databases are created there instead; with {@code POSTERN_TEST_CONTAINERS=1}
 * and Docker, in a container ({@link ContainerFixture}).
 */
public final class PgFixture {

  private static PgConnectOptions admin;

  private PgFixture() {}

  /** A URL of a new, empty database (e.g. one per test class). */
  public static synchronized String freshDatabaseUrl() {
    PgConnectOptions server = server();
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(server)
          .using(vertx).build();
      pool.query("CREATE DATABASE " + name).execute().await();
      pool.close().await();
    } finally {
      vertx.close().await();
    }
    return "postgresql://" + server.getUser()
        + (server.getPassword() == null || server.getPassword().isEmpty() ? "" : ":" + server.getPassword())
        + "@" + server.getHost() + ":" + server.getPort() + "/" + name;
  }

  private static PgConnectOptions server() {
    if (admin != null) {
      return admin;
    }
    String external = System.getenv("POSTERN_TEST_PG_URL");
    if (external != null && !external.isBlank()) {
      admin = PgConnectOptions.fromUri(external);
      return admin;
    }
    String container = ContainerFixture.postgresUrl().orElse(null);
    if (container != null) {
      admin = PgConnectOptions.fromUri(container);
      return admin;
    }
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "300")
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // JVM exiting
        }
      }, "pg-fixture-stop"));
      admin = new PgConnectOptions().setHost("127.0.0.1").setPort(postgres.getPort())
          .setUser("postgres").setPassword("").setDatabase("postgres");
      return admin;
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL for tests did not start", e);
    }
  }
}
