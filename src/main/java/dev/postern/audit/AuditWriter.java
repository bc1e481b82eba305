package dev.postern.audit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Writes one batch of audit rows in one round trip: each column travels as an array and
 * {@code unnest … WITH ORDINALITY} turns them back into rows, in order, so ids follow the order
 * entries were recorded. Values are made storable first (PostgreSQL text refuses NUL; the actor
 * header column holds at most 1 KB): one odd entry must never sink its whole batch.
 */
final class AuditWriter {

  static final int MAX_ACTOR_BYTES = 1024;
  private static final int MAX_TEXT_CHARS = 2048;

  private static final String INSERT = """
      INSERT INTO audit_log (occurred_at, actor_type, api_key_id, action, method, path, status,
                             remote_addr, actor_header, details)
      SELECT occurred_at, actor_type, api_key_id, action, method, path, status, remote_addr,
             actor_header, details::jsonb
        FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                    $7::int[], $8::text[], $9::text[], $10::text[])
             WITH ORDINALITY AS t(occurred_at, actor_type, api_key_id, action, method, path, status,
                                  remote_addr, actor_header, details, n)
       ORDER BY n""";

  private AuditWriter() {}

  static Future<Void> insert(Pool pool, List<AuditEntry> batch) {
    int n = batch.size();
    OffsetDateTime[] at = new OffsetDateTime[n];
    String[] actor = new String[n];
    UUID[] key = new UUID[n];
    String[] action = new String[n];
    String[] method = new String[n];
    String[] path = new String[n];
    Integer[] status = new Integer[n];
    String[] remote = new String[n];
    String[] header = new String[n];
    String[] details = new String[n];
    for (int i = 0; i < n; i++) {
      AuditEntry e = batch.get(i);
      at[i] = (e.occurredAt() == null ? java.time.Instant.now() : e.occurredAt()).atOffset(ZoneOffset.UTC);
      actor[i] = (e.actorType() == null ? ActorType.SYSTEM : e.actorType()).wire();
      key[i] = e.apiKeyId();
      action[i] = e.action() == null ? "unknown" : text(e.action());
      method[i] = text(e.method());
      path[i] = text(e.path());
      status[i] = e.status();
      remote[i] = text(e.remoteAddr());
      header[i] = actorHeader(e.actorHeader());
      // JSON's \u0000 escape is refused by jsonb as well.
      details[i] = e.details() == null ? null : e.details().encode().replace("\\u0000", "\\ufffd");
    }
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(at, actor, key, action, method, path, status, remote, header, details))
        .mapEmpty();
  }

  private static String text(String value) {
    if (value == null) {
      return null;
    }
    // Nearly every value is clean and short: indexOf is the JDK's fast scan, replace is not.
    String clean = value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\uFFFD');
    return clean.length() > MAX_TEXT_CHARS ? clean.substring(0, MAX_TEXT_CHARS) : clean;
  }

  /** Cut to at most 1 KB of UTF-8 without splitting a character. */
  static String actorHeader(String value) {
    String clean = text(value);
    // A char is at most 3 UTF-8 bytes (a surrogate pair 4 for 2): short values need no encoding.
    if (clean == null || clean.length() * 3 <= MAX_ACTOR_BYTES
        || clean.getBytes(StandardCharsets.UTF_8).length <= MAX_ACTOR_BYTES) {
      return clean;
    }
    int bytes = 0;
    int end = 0;
    while (end < clean.length()) {
      int cp = clean.codePointAt(end);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_ACTOR_BYTES) {
        break;
      }
      bytes += size;
      end += Character.charCount(cp);
    }
    return clean.substring(0, end);
  }
}
