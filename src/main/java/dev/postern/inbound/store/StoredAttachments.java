package dev.postern.inbound.store;

import dev.postern.blob.BlobStore;
import dev.postern.db.TimeOrderedIds;
import dev.postern.inbound.parse.ParsedAttachment;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A message's attachments as {@code mail_attachments} rows: content inline up to
 * {@link #INLINE_LIMIT}, larger ones in the blob store under {@code in/att/<uuid>}, put before
 * the filing transaction starts (durable before a row can name it; a transaction that then fails
 * leaves an unreferenced blob, never a row without its blob).
 */
final class StoredAttachments {

  /** Largest attachment kept in the row itself. */
  static final int INLINE_LIMIT = 64 * 1024;

  private static final String INSERT = """
      INSERT INTO mail_attachments (id, message_id, position, filename, content_type, disposition,
                                    content_id, size, content, blob_key)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""";

  private record Row(UUID id, int position, ParsedAttachment part, String blobKey) {}

  private final List<Row> rows;

  private StoredAttachments(List<Row> rows) {
    this.rows = rows;
  }

  /** Puts the large ones into the blob store, all at once. */
  static Future<StoredAttachments> upload(BlobStore blobs, List<ParsedAttachment> parts) {
    List<Row> rows = new ArrayList<>();
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      ParsedAttachment part = parts.get(i);
      UUID id = TimeOrderedIds.next();
      String key = null;
      if (part.content().length > INLINE_LIMIT) {
        key = "in/att/" + id;
        puts.add(blobs.put(key, Buffer.buffer(part.content())));
      }
      rows.add(new Row(id, i + 1, part, key));
    }
    return Future.all(puts).map(new StoredAttachments(rows));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The rows of this message's attachments, for {@link #insert}. */
  List<Tuple> rows(UUID messageId) {
    List<Tuple> batch = new ArrayList<>(rows.size());
    for (Row r : rows) {
      ParsedAttachment p = r.part();
      batch.add(Tuple.tuple().addValue(r.id()).addValue(messageId).addValue(r.position())
          .addValue(Text.clean(p.filename())).addValue(Text.clean(p.contentType()))
          .addValue("inline".equals(p.disposition()) ? "inline" : "attachment")
          .addValue(p.contentId().map(Text::clean).orElse(null))
          .addValue((long) p.content().length)
          .addValue(r.blobKey() == null ? Buffer.buffer(p.content()) : null)
          .addValue(r.blobKey()));
    }
    return batch;
  }

  /** The rows' insert (any number of messages'), one batched statement: one round trip. */
  static Future<?> insert(SqlClient client, List<Tuple> rows) {
    return rows.isEmpty() ? Future.succeededFuture() : client.preparedQuery(INSERT).executeBatch(rows);
  }
}
