package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.support.PgFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MigrationsIT {

  private final Migrations migrations = Migrations.fromClasspath();
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

  private Pool pool() {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(url).using(vertx).build();
  }

  @Test
  void createsTheWholeDataModelOnceAndIsIdempotent() {
    Pool pool = pool();
    assertThat(migrations.apply(pool).await()).isEqualTo(migrations.all().size());
    assertThat(migrations.apply(pool).await()).isZero();
    List<String> tables = new ArrayList<>();
    pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").execute().await()
        .forEach(row -> tables.add(row.getString(0)));
    assertThat(tables).contains("domains", "mailboxes", "api_keys", "outbound_messages",
        "outbound_recipients", "outbound_events", "delivery_queue", "inbound_raw",
        "inbound_deliveries", "mail_folders", "mail_threads", "mail_thread_refs", "mail_messages",
        "mail_attachments", "mail_changes", "audit_log", "idempotency_records", "webhooks",
        "webhook_deliveries", "webhook_attempts", "schema_migrations");
  }

  @Test
  void twoNodesMigratingAtOnceApplyEachMigrationExactlyOnce() {
    List<Future<Integer>> runs = new ArrayList<>();
    for (int node = 0; node < 4; node++) {
      runs.add(migrations.apply(pool()));
    }
    Future.all(runs).await();
    int total = runs.stream().mapToInt(Future::result).sum();
    assertThat(total).isEqualTo(migrations.all().size());
    Row count = pool().query("SELECT count(*) FROM schema_migrations").execute().await().iterator().next();
    assertThat(count.getLong(0)).isEqualTo(migrations.all().size());
  }

  @Test
  void refusesToRunWhenAnAppliedMigrationWasEdited() {
    Pool pool = pool();
    migrations.apply(pool).await();
    pool.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1").execute().await();
    assertThatThrownBy(() -> migrations.apply(pool).await())
        .hasMessageContaining("V001__schema.sql was changed after it was applied");
  }

  @Test
  void schemaRefusesAKeyBoundToBothOrNeither() {
    Pool pool = pool();
    migrations.apply(pool).await();
    assertThatThrownBy(() -> pool.query("""
        INSERT INTO api_keys (id, name, mode, lookup_prefix, key_sealed, key_salt, master_version)
        VALUES (gen_random_uuid(), 'k', 'live', '0123456789ab', '\\x00', '\\x00', 1)""")
        .execute().await())
        .hasMessageContaining("check constraint");
  }
}
