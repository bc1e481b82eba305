package dev.postern.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Reads the audit trail newest first with keyset pagination: the cursor is the id of the last
 * row a page returned, so pages stay stable while new rows are appended.
 */
public final class AuditReader {

  /** One page: rows newest first, and the cursor for the next page (null on the last one). */
  public record Page(JsonArray data, String nextCursor) {
    public JsonObject toJson() {
      return new JsonObject().put("data", data).put("next_cursor", nextCursor);
    }
  }

  private static final String COLUMNS = "id, occurred_at, actor_type, api_key_id, action, method, "
      + "path, status, remote_addr, actor_header, details";

  private final Pool pool;

  public AuditReader(Pool pool) {
    this.pool = pool;
  }

  /** The whole organisation's activity. @param before exclusive upper id bound, or null */
  public Future<Page> activity(Long before, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit_log"
            + " WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2")
        .execute(Tuple.of(before, limit + 1))
        .map(rows -> page(rows, limit));
  }

  /** One API key's history (the key need not exist any more: history outlives deletion). */
  public Future<Page> forKey(UUID apiKeyId, Long before, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit_log"
            + " WHERE api_key_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3")
        .execute(Tuple.of(apiKeyId, before, limit + 1))
        .map(rows -> page(rows, limit));
  }

  private static Page page(RowSet<Row> rows, int limit) {
    JsonArray data = new JsonArray();
    Long last = null;
    boolean more = false;
    for (Row row : rows) {
      if (data.size() == limit) {
        more = true;
        break;
      }
      last = row.getLong("id");
      data.add(toJson(row));
    }
    return new Page(data, more ? Long.toString(last) : null);
  }

  private static JsonObject toJson(Row row) {
    UUID key = row.getUUID("api_key_id");
    Object details = row.getValue("details");
    return new JsonObject()
        .put("id", Long.toString(row.getLong("id")))
        .put("occurred_at", row.getOffsetDateTime("occurred_at").format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .put("actor_type", row.getString("actor_type"))
        .put("api_key_id", key == null ? null : key.toString())
        .put("action", row.getString("action"))
        .put("method", row.getString("method"))
        .put("path", row.getString("path"))
        .put("status", row.getInteger("status"))
        .put("remote_addr", row.getString("remote_addr"))
        .put("actor", row.getString("actor_header"))
        .put("details", details);
  }
}
