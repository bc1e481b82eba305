package dev.postern.send;

import dev.postern.keys.KeyMode;
import dev.postern.queue.OutboundQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Outbound mail in PostgreSQL. A submission's messages, recipients, first events and queue rows
 * commit in ONE statement ({@link OutboundInsert}), and concurrent submissions share that
 * statement and its commit ({@link GroupCommit}): one round trip and one WAL flush for many
 * accepts (issue #11, BENCHMARKS.md); the queue row is the queue's own
 * {@link OutboundQueue#enqueue} step. Deliberately no NOTIFY in it: see
 * {@link dev.postern.queue.QueueWakeups}.
 */
public final class OutboundRepository {

  /** A stored idempotency record: the request digest and the ids accepted for it, in order. */
  public record IdempotencyRecord(byte[] requestSha256, List<UUID> messageIds) {}

  private final Pool pool;
  private final OutboundInsert insert;
  private final GroupCommit commits;

  /** Reads, and inserts that each commit alone, with a relay assumed (nothing parked). */
  public OutboundRepository(Pool pool, OutboundQueue queue) {
    this(null, pool, queue, GroupCommit.Settings.alone(), true);
  }

  /**
   * @param relays whether this node has a relay configured; without one, live mail is parked
   *     ({@link OutboundInsert})
   */
  public OutboundRepository(Vertx vertx, Pool pool, OutboundQueue queue, GroupCommit.Settings commits,
      boolean relays) {
    this.pool = pool;
    this.insert = new OutboundInsert(queue, relays);
    this.commits = new GroupCommit(vertx, pool, insert, commits);
  }

  /**
   * Commits every message of a submission (a batch is all or nothing), in one commit shared with
   * concurrent submissions; completes only after that commit.
   */
  public Future<Void> insert(List<OutboundMessage> messages) {
    return commits.commit(messages);
  }

  /** Whether the message's queue row is due once committed (parked mail is not: no wake-up). */
  public boolean dueOnCommit(OutboundMessage message) {
    return insert.dueOnCommit(message);
  }

  /**
   * Commits the messages together with an idempotency record holding their ids, or — if a live
   * record for this key already exists — commits nothing and returns that record. Concurrent
   * requests with one key serialise on the record's primary key, so exactly one of them sends.
   */
  public Future<Optional<IdempotencyRecord>> insertIdempotent(List<OutboundMessage> messages,
      UUID apiKeyId, String idempotencyKey, byte[] requestSha256) {
    UUID[] ids = messages.stream().map(OutboundMessage::id).toArray(UUID[]::new);
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO idempotency_records (api_key_id, idempotency_key, request_sha256,
              message_ids, expires_at)
            VALUES ($1, $2, $3, $4, now() + interval '24 hours')
            ON CONFLICT (api_key_id, idempotency_key) DO UPDATE SET
              request_sha256 = EXCLUDED.request_sha256, message_ids = EXCLUDED.message_ids,
              created_at = now(), expires_at = EXCLUDED.expires_at
              WHERE idempotency_records.expires_at < now()
            RETURNING 1""")
        // Tuple.of would spread the array (varargs): add it as one value.
        .execute(Tuple.tuple().addValue(apiKeyId).addValue(idempotencyKey)
            .addValue(Buffer.buffer(requestSha256)).addValue(ids))
        .compose(rows -> {
          if (rows.size() == 0) {
            return findIdempotency(tx, apiKeyId, idempotencyKey);
          }
          return insert.execute(tx, messages).map(v -> Optional.<IdempotencyRecord>empty());
        }));
  }

  /**
   * A single message that remembers its resend key (SMTP: the key's Message-ID and the received
   * octets), in a group commit like {@link #insert}: if a live record for the key exists
   * (committed earlier, or by a twin committing at the same instant — the record's primary key
   * arbitrates), nothing is committed and that record is returned. The check rides in the
   * batch's transaction: no lookup per message.
   */
  public Future<Optional<IdempotencyRecord>> insertRemembered(OutboundMessage message, UUID apiKeyId,
      String resendKey, byte[] receivedSha256) {
    return commits.commitRemembered(message, new GroupCommit.Remembered(apiKeyId, resendKey,
        receivedSha256, message.id()));
  }

  /** A live (under 24 h old) idempotency record, if any. */
  public Future<Optional<IdempotencyRecord>> findIdempotency(UUID apiKeyId, String idempotencyKey) {
    return findIdempotency(pool, apiKeyId, idempotencyKey);
  }

  private static Future<Optional<IdempotencyRecord>> findIdempotency(SqlClient client, UUID apiKeyId,
      String idempotencyKey) {
    return client.preparedQuery("""
            SELECT request_sha256, message_ids FROM idempotency_records
             WHERE api_key_id = $1 AND idempotency_key = $2 AND expires_at > now()""")
        .execute(Tuple.of(apiKeyId, idempotencyKey))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new IdempotencyRecord(row.getBuffer(0).getBytes(),
              List.of(row.getArrayOfUUIDs(1))));
        });
  }

  /**
   * A message visible to a key: a mailbox-bound key sees its mailbox's mail, a domain-bound key
   * its domain's, and only mail sent in its own mode (issue #15.7: a test key never reads live
   * mail, nor a live key sandboxed mail). Anything else is indistinguishable from an unknown id.
   */
  public Future<Optional<JsonObject>> findVisible(UUID id, UUID mailboxId, UUID domainId,
      KeyMode mode) {
    return pool.preparedQuery("""
            SELECT m.id, m.envelope_from, m.from_header, m.to_addresses, m.cc_addresses,
                   m.bcc_addresses, m.reply_to, m.subject, m.created_at, m.last_event, m.status,
                   m.tags, m.scheduled_at, m.mode,
                   (SELECT coalesce(json_agg(json_build_object('address', r.address, 'status', r.status,
                            'reply', r.reply, 'updated_at', r.updated_at) ORDER BY r.address), '[]')
                      FROM outbound_recipients r WHERE r.message_id = m.id) AS recipients,
                   (SELECT coalesce(json_agg(json_build_object('type', e.type, 'recipient', e.recipient,
                            'relay', e.relay, 'reply', e.reply, 'created_at', e.created_at) ORDER BY e.id), '[]')
                      FROM outbound_events e WHERE e.message_id = m.id) AS events
              FROM outbound_messages m
             WHERE m.id = $1 AND m.mode = $4
               AND (CASE WHEN $2::uuid IS NOT NULL THEN m.mailbox_id = $2
                         ELSE m.domain_id = $3 END)""")
        .execute(Tuple.of(id, mailboxId, domainId, mode.wire()))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toJson(rows.iterator().next())));
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("object", "email")
        .put("id", row.getUUID("id").toString())
        .put("from", row.getString("from_header"))
        .put("to", new JsonArray(List.of(row.getArrayOfStrings("to_addresses"))))
        .put("cc", new JsonArray(List.of(row.getArrayOfStrings("cc_addresses"))))
        .put("bcc", new JsonArray(List.of(row.getArrayOfStrings("bcc_addresses"))))
        .put("reply_to", new JsonArray(List.of(row.getArrayOfStrings("reply_to"))))
        .put("subject", row.getString("subject"))
        .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("scheduled_at", row.getOffsetDateTime("scheduled_at") == null ? null
            : row.getOffsetDateTime("scheduled_at").toInstant().toString())
        .put("last_event", row.getString("last_event"))
        .put("status", row.getString("status"))
        .put("mode", row.getString("mode"))
        .put("tags", json(row.getValue("tags")))
        .put("recipients", json(row.getValue("recipients")))
        .put("events", json(row.getValue("events")));
  }

  private static Object json(Object value) {
    if (value instanceof JsonArray || value instanceof JsonObject) {
      return value;
    }
    String text = String.valueOf(value);
    return text.startsWith("[") ? new JsonArray(text) : new JsonObject(text);
  }
}
