package dev.postern.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned SQL migrations from {@code db/migration/} (listed in order in {@code index.txt}).
 * Each runs in its own transaction; the whole run holds a PostgreSQL advisory lock so two nodes
 * starting at once apply each migration exactly once. An applied migration whose text changed is
 * refused: migrations are append-only.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  /** Arbitrary constant naming Postern's migration lock ("POSTERN" in ASCII, truncated). */
  private static final long LOCK_ID = 0x504F53544552L;

  public record Migration(int version, String name, String sql, String checksum) {}

  private final List<Migration> migrations;

  private Migrations(List<Migration> migrations) {
    this.migrations = migrations;
  }

  /** Reads the scripts from the classpath. Blocking: call at start-up, off the event loop. */
  public static Migrations fromClasspath() {
    String index = read("db/migration/index.txt");
    List<Migration> list = new ArrayList<>();
    for (String line : index.split("\n")) {
      String name = line.trim();
      if (name.isEmpty()) {
        continue;
      }
      if (!name.matches("V\\d{3}__[a-z0-9_]+\\.sql")) {
        throw new IllegalStateException("bad migration name " + name);
      }
      String sql = read("db/migration/" + name);
      list.add(new Migration(Integer.parseInt(name.substring(1, 4)), name, sql, sha256(sql)));
    }
    return new Migrations(List.copyOf(list));
  }

  public List<Migration> all() {
    return migrations;
  }

  /** Applies every migration not yet applied; completes with the number applied. */
  public Future<Integer> apply(Pool pool) {
    return pool.getConnection().compose(conn -> conn
        .query("SELECT pg_advisory_lock(" + LOCK_ID + ")").execute()
        .compose(locked -> applyLocked(conn))
        .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_ID + ")").execute()
            .eventually(conn::close)));
  }

  private Future<Integer> applyLocked(SqlConnection conn) {
    // DO block rather than IF NOT EXISTS: the latter raises a NOTICE on every start.
    return conn.query("""
            DO $$ BEGIN
              IF to_regclass('schema_migrations') IS NULL THEN
                CREATE TABLE schema_migrations (
                  version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now());
              END IF;
            END $$""").execute()
        .compose(created -> conn.query("SELECT version, name, checksum FROM schema_migrations").execute())
        .compose(rows -> {
          Map<Integer, Row> applied = new java.util.HashMap<>();
          rows.forEach(row -> applied.put(row.getInteger("version"), row));
          List<Migration> pending = new ArrayList<>();
          for (Migration m : migrations) {
            Row row = applied.get(m.version());
            if (row == null) {
              pending.add(m);
            } else if (!row.getString("checksum").equals(m.checksum())) {
              return Future.failedFuture(new IllegalStateException("migration " + m.name()
                  + " was changed after it was applied; add a new migration instead"));
            }
          }
          Future<Void> chain = Future.succeededFuture();
          for (Migration m : pending) {
            chain = chain.compose(v -> applyOne(conn, m));
          }
          return chain.map(v -> pending.size());
        });
  }

  private Future<Void> applyOne(SqlConnection conn, Migration m) {
    return conn.begin().compose(tx -> conn.query(m.sql()).execute()
        .compose(done -> conn.preparedQuery(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .execute(Tuple.of(m.version(), m.name(), m.checksum())))
        .compose(done -> tx.commit())
        .onSuccess(v -> log.info("applied migration {}", m.name()))
        .onFailure(e -> tx.rollback()));
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable resource " + resource, e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
