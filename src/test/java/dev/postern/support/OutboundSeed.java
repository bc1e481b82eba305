package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Outbound mail inserted the way the send path commits it (a message row, its recipients, a
 * {@code queued}/{@code scheduled} event and a queue row, then {@code pg_notify}), so delivery
 * can be tested before the REST path is merged. Also reads back what delivery wrote.
 */
public final class OutboundSeed implements AutoCloseable {

  public static final String FROM = "sender@example.com";
  public static final String NOTIFY_CHANNEL = "postern_queue";

  private static final String INSERT = """
      WITH ids AS (
        SELECT gen_random_uuid() AS id, i FROM generate_series(1, $1::int) AS i),
      mime AS (
        SELECT id, i, convert_to(
            'Message-ID: <' || id || '@example.com>' || E'\\r\\n' ||
            'From: ' || $3 || E'\\r\\n' || 'To: ' || array_to_string($4::text[], ', ') || E'\\r\\n' ||
            'Subject: seed ' || i || E'\\r\\n' || 'MIME-Version: 1.0' || E'\\r\\n' ||
            'Content-Type: text/plain; charset=utf-8' || E'\\r\\n' || E'\\r\\n' ||
            $5 || E'\\r\\n', 'UTF8') AS bytes
        FROM ids),
      msg AS (
        INSERT INTO outbound_messages (id, api_key_id, domain_id, mode, source, message_id_header,
            envelope_from, from_header, to_addresses, subject, status, last_event, mime_inline,
            blob_key, mime_size, mime_sha256, scheduled_at)
        SELECT id, $2, (SELECT domain_id FROM api_keys WHERE id = $2), $6, 'api',
               '<' || id || '@example.com>', $3, $3, $4::text[], 'seed ' || i,
               CASE WHEN $7::bigint IS NULL THEN
                 CASE WHEN $6 = 'test' THEN 'sandboxed' ELSE 'queued' END ELSE 'scheduled' END,
               CASE WHEN $7::bigint IS NULL THEN 'queued' ELSE 'scheduled' END,
               CASE WHEN $8::text IS NULL THEN bytes END, $8, length(bytes), sha256(bytes),
               CASE WHEN $7::bigint IS NULL THEN NULL ELSE now() + $7 * interval '1 ms' END
        FROM mime
        RETURNING id),
      rcpt AS (
        INSERT INTO outbound_recipients (message_id, address, kind, status)
        SELECT ids.id, a, 'to', CASE WHEN $7::bigint IS NULL THEN
                 CASE WHEN $6 = 'test' THEN 'sandboxed' ELSE 'queued' END ELSE 'scheduled' END
        FROM ids, unnest($4::text[]) AS a),
      ev AS (
        INSERT INTO outbound_events (message_id, type)
        SELECT id, CASE WHEN $7::bigint IS NULL THEN 'queued' ELSE 'scheduled' END FROM ids),
      q AS (
        INSERT INTO delivery_queue (message_id, due_at)
        SELECT id, now() + coalesce($7, 0) * interval '1 ms' FROM ids WHERE $9)
      SELECT id FROM ids ORDER BY i""";

  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;
  private UUID keyId;

  public OutboundSeed(String pgUrl) {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(pgUrl).using(vertx).build();
  }

  /** One live message to the given recipients, queued now; returns its id. */
  public UUID live(String... recipients) {
    return insert(1, "live", null, null, true, recipients).get(0);
  }

  public List<UUID> live(int count, String... recipients) {
    return insert(count, "live", null, null, true, recipients);
  }

  /** A test-key message that nevertheless has a queue row (defence-in-depth case). */
  public UUID sandboxWithQueueRow(String... recipients) {
    return insert(1, "test", null, null, true, recipients).get(0);
  }

  public UUID scheduled(Duration in, String... recipients) {
    return insert(1, "live", in, null, true, recipients).get(0);
  }

  /**
   * Moves a scheduled message's queue row to now and wakes the workers: what the passing of
   * its scheduled time does (the queue's clock is the database's {@code now()}).
   */
  public void makeDue(UUID id) {
    pool.withTransaction(c -> c.preparedQuery("UPDATE delivery_queue SET due_at = now() WHERE message_id = $1")
        .execute(Tuple.of(id))
        .compose(rows -> c.query("SELECT pg_notify('" + NOTIFY_CHANNEL + "', '')").execute())).await();
  }

  /** MIME left for the test to store under {@code blobKey} (large-message path). */
  public UUID liveInBlob(String blobKey, long size, String... recipients) {
    UUID id = insert(1, "live", null, blobKey, true, recipients).get(0);
    pool.preparedQuery("UPDATE outbound_messages SET mime_size = $2 WHERE id = $1")
        .execute(Tuple.of(id, size)).await();
    return id;
  }

  public List<UUID> insert(int count, String mode, Duration scheduledIn, String blobKey,
      boolean queueRow, String... recipients) {
    UUID key = key();
    Tuple args = Tuple.tuple().addInteger(count).addUUID(key).addString(FROM)
        .addArrayOfString(recipients).addString("Hello from the delivery tests.")
        .addString(mode).addLong(scheduledIn == null ? null : scheduledIn.toMillis())
        .addString(blobKey).addBoolean(queueRow);
    List<UUID> ids = new ArrayList<>();
    pool.withTransaction(c -> c.preparedQuery(INSERT).execute(args)
        .compose(rows -> {
          rows.forEach(r -> ids.add(r.getUUID(0)));
          return c.query("SELECT pg_notify('" + NOTIFY_CHANNEL + "', '')").execute();
        })).await();
    return ids;
  }

  private synchronized UUID key() {
    if (keyId != null) {
      return keyId;
    }
    UUID domain = pool.preparedQuery("""
            INSERT INTO domains (id, name, verification_token, dkim_selector, dkim_public_key,
                                 dkim_private_sealed, dkim_private_salt, master_version)
            VALUES (gen_random_uuid(), 'example.com', 'seed', 'seed', 'seed', '\\x00', '\\x00', 1)
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id""")
        .execute().await().iterator().next().getUUID(0);
    keyId = UUID.randomUUID();
    String prefix = keyId.toString().replace("-", "").substring(0, 12);
    pool.preparedQuery("""
            INSERT INTO api_keys (id, name, mode, lookup_prefix, key_sealed, key_salt,
                                  master_version, domain_id)
            VALUES ($1, 'seed', 'live', $2, '\\x00', '\\x00', 1, $3)""")
        .execute(Tuple.of(keyId, prefix, domain)).await();
    return keyId;
  }

  public String status(UUID id) {
    return one("SELECT status FROM outbound_messages WHERE id = $1", id).getString(0);
  }

  /** address → {status, reply, attempts} */
  public List<JsonObject> recipients(UUID id) {
    List<JsonObject> out = new ArrayList<>();
    pool.preparedQuery("SELECT address, status, reply, attempts FROM outbound_recipients "
        + "WHERE message_id = $1 ORDER BY address").execute(Tuple.of(id)).await()
        .forEach(r -> out.add(r.toJson()));
    return out;
  }

  public List<JsonObject> events(UUID id) {
    List<JsonObject> out = new ArrayList<>();
    pool.preparedQuery("SELECT type, recipient, relay, reply, node FROM outbound_events "
        + "WHERE message_id = $1 ORDER BY id").execute(Tuple.of(id)).await()
        .forEach(r -> out.add(r.toJson()));
    return out;
  }

  /** The queue row as JSON, or null once it is gone. */
  public JsonObject queueRow(UUID id) {
    var rows = pool.preparedQuery("SELECT attempts, lease_owner, last_error, due_at > now() AS later "
        + "FROM delivery_queue WHERE message_id = $1").execute(Tuple.of(id)).await();
    return rows.size() == 0 ? null : rows.iterator().next().toJson();
  }

  public long count(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  private Row one(String sql, UUID id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).await().iterator().next();
  }

  @Override
  public void close() {
    pool.close().await();
    vertx.close().await();
  }
}
