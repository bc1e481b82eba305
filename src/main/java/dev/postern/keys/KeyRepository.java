package dev.postern.keys;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys in PostgreSQL. Every change that can make a cached key stale (create, revoke, rotate)
 * sends {@code NOTIFY postern_keys, '<lookup prefix>'} in its transaction, so every node's cache
 * drops the entry as soon as the change commits (SPEC §2: revocation immediate on every node).
 */
public final class KeyRepository {

  /** The LISTEN/NOTIFY channel of key changes; the payload is the lookup prefix. */
  public static final String CHANGES_CHANNEL = "postern_keys";

  private static final String SELECT = """
      SELECT k.id, k.name, k.mode, k.lookup_prefix, k.key_sealed, k.key_salt, k.master_version,
             k.scopes, k.mailbox_id, m.address AS mailbox_address, d.id AS domain_id,
             d.name AS domain_name, k.rate_limit_per_hour, k.expires_at, k.revoked_at,
             k.last_used_at, k.rotated_from, k.created_at
        FROM api_keys k
        LEFT JOIN mailboxes m ON m.id = k.mailbox_id
        JOIN domains d ON d.id = coalesce(k.domain_id, m.domain_id)
      """;

  /** A key about to be inserted. Exactly one of mailboxId / domainId is set. */
  public record NewKey(UUID id, String name, KeyMode mode, String lookupPrefix, Sealed sealed,
      List<String> scopes, UUID mailboxId, UUID domainId, int rateLimitPerHour,
      Instant expiresAt, UUID rotatedFrom) {}

  /** What a key may be bound to. */
  public record Binding(UUID mailboxId, UUID domainId, String address) {}

  private final Pool pool;

  public KeyRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<StoredKey>> findByLookupPrefix(String lookupPrefix) {
    return pool.preparedQuery(SELECT + " WHERE k.lookup_prefix = $1").execute(Tuple.of(lookupPrefix))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(read(rows.iterator().next())));
  }

  public Future<Optional<StoredKey>> find(UUID id) {
    return find(pool, id, false);
  }

  private static Future<Optional<StoredKey>> find(SqlClient client, UUID id, boolean lock) {
    String sql = SELECT + " WHERE k.id = $1" + (lock ? " FOR UPDATE OF k" : "");
    return client.preparedQuery(sql).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(read(rows.iterator().next())));
  }

  /** Newest first, at most {@code limit}. */
  public Future<List<StoredKey>> list(int limit) {
    return pool.preparedQuery(SELECT + " ORDER BY k.created_at DESC, k.id DESC LIMIT $1")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<StoredKey> keys = new ArrayList<>();
          rows.forEach(row -> keys.add(read(row)));
          return keys;
        });
  }

  public Future<StoredKey> insert(NewKey key) {
    return pool.withTransaction(tx -> insert(tx, key)
        .compose(v -> notifyChange(tx, key.lookupPrefix()))
        .compose(v -> find(tx, key.id(), false)))
        .map(Optional::orElseThrow);
  }

  /** Marks the key revoked (idempotent: an already revoked key keeps its first revocation time). */
  public Future<Optional<StoredKey>> revoke(UUID id) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
            RETURNING lookup_prefix""").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(Optional.<StoredKey>empty())
            : notifyChange(tx, rows.iterator().next().getString(0))
                .compose(v -> find(tx, id, false))));
  }

  /**
   * Issues {@code replacement} with the old key's settings and revokes the old key, in one
   * transaction. Empty if the old key does not exist or is already revoked.
   */
  public Future<Optional<StoredKey>> rotate(UUID oldId, java.util.function.Function<StoredKey, NewKey> replacement) {
    return pool.withTransaction(tx -> find(tx, oldId, true).compose(old -> {
      if (old.isEmpty() || old.get().revokedAt() != null) {
        return Future.succeededFuture(Optional.<StoredKey>empty());
      }
      NewKey next = replacement.apply(old.get());
      return insert(tx, next)
          .compose(v -> tx.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE id = $1")
              .execute(Tuple.of(oldId)))
          .compose(v -> notifyChange(tx, old.get().lookupPrefix()))
          .compose(v -> notifyChange(tx, next.lookupPrefix()))
          .compose(v -> find(tx, next.id(), false));
    }));
  }

  /** Advances last_used_at for many keys in one statement (never moves it backwards). */
  public Future<Void> touchLastUsed(Map<UUID, Instant> lastUsed) {
    if (lastUsed.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = lastUsed.keySet().toArray(UUID[]::new);
    OffsetDateTime[] times = Arrays.stream(ids)
        .map(id -> lastUsed.get(id).atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    return pool.preparedQuery("""
            UPDATE api_keys k SET last_used_at = greatest(coalesce(k.last_used_at, u.t), u.t)
              FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, t) WHERE k.id = u.id""")
        // addValue, not Tuple.of(ids, times): varargs would spread the second array into parameters.
        .execute(Tuple.tuple().addValue(ids).addValue(times)).mapEmpty();
  }

  public Future<Optional<Binding>> findMailbox(String address) {
    return pool.preparedQuery("SELECT id, domain_id, address FROM mailboxes WHERE lower(address) = lower($1)")
        .execute(Tuple.of(address))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(new Binding(
            rows.iterator().next().getUUID(0), rows.iterator().next().getUUID(1),
            rows.iterator().next().getString(2))));
  }

  public Future<Optional<Binding>> findDomain(String name) {
    return pool.preparedQuery("SELECT id, name FROM domains WHERE name = lower($1)")
        .execute(Tuple.of(name))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(new Binding(
            null, rows.iterator().next().getUUID(0), rows.iterator().next().getString(1))));
  }

  private static Future<Void> insert(SqlClient client, NewKey key) {
    return client.preparedQuery("""
            INSERT INTO api_keys (id, name, mode, lookup_prefix, key_sealed, key_salt, master_version,
                                  scopes, mailbox_id, domain_id, rate_limit_per_hour, expires_at, rotated_from)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""")
        .execute(Tuple.tuple(List.of(key.id(), key.name(), key.mode().wire(), key.lookupPrefix(),
            io.vertx.core.buffer.Buffer.buffer(key.sealed().ciphertext()),
            io.vertx.core.buffer.Buffer.buffer(key.sealed().salt()), key.sealed().masterVersion(),
            key.scopes().toArray(String[]::new)))
            .addValue(key.mailboxId()).addValue(key.domainId()).addValue(key.rateLimitPerHour())
            .addValue(key.expiresAt() == null ? null : key.expiresAt().atOffset(ZoneOffset.UTC))
            .addValue(key.rotatedFrom()))
        .mapEmpty();
  }

  private static Future<Void> notifyChange(SqlClient client, String lookupPrefix) {
    return client.preparedQuery("SELECT pg_notify('" + CHANGES_CHANNEL + "', $1)")
        .execute(Tuple.of(lookupPrefix)).mapEmpty();
  }

  private static StoredKey read(Row row) {
    return new StoredKey(
        row.getUUID("id"), row.getString("name"),
        KeyMode.fromWire(row.getString("mode")).orElseThrow(), row.getString("lookup_prefix"),
        new Sealed(row.getBuffer("key_salt").getBytes(), row.getBuffer("key_sealed").getBytes(),
            row.getInteger("master_version")),
        List.of(row.getArrayOfStrings("scopes")), row.getUUID("mailbox_id"),
        row.getString("mailbox_address"), row.getUUID("domain_id"), row.getString("domain_name"),
        row.getInteger("rate_limit_per_hour"), instant(row, "expires_at"), instant(row, "revoked_at"),
        instant(row, "last_used_at"), row.getUUID("rotated_from"), instant(row, "created_at"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
