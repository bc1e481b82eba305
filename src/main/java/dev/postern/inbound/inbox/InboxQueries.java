package dev.postern.inbound.inbox;

import dev.postern.mailboxes.EncryptionTier;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The read side of the mail store (V005): SQL only, every statement scoped by mailbox id so a
 * message of another mailbox is simply not found. Listing walks
 * {@code mail_messages_listing (mailbox_id, folder, received_at DESC, id DESC)}.
 */
public final class InboxQueries {

  static final String SEEN = "\\Seen";
  static final String FLAGGED = "\\Flagged";
  static final String SUMMARY_COLUMNS = "m.id, m.message_id_header, m.from_name,"
      + " m.from_address, m.to_addresses, m.subject, m.preview, m.received_at, m.folder, m.flags,"
      + " m.has_attachments, m.size_bytes, m.thread_id, m.encrypted";
  private static final String DETAIL_COLUMNS = SUMMARY_COLUMNS + ", m.headers, m.cc_addresses,"
      + " m.sent_at, m.text_body, m.html_body, m.in_reply_to, m.references_ids, m.thread_position,"
      + " (SELECT coalesce(json_agg(json_build_object('id', a.id, 'position', a.position,"
      + " 'filename', a.filename, 'content_type', a.content_type, 'disposition', a.disposition,"
      + " 'content_id', a.content_id, 'size', a.size) ORDER BY a.position), '[]'::json)"
      + " FROM mail_attachments a WHERE a.message_id = m.id) AS attachments";

  /** Where a raw MIME is: inline octets, a blob key, or an outbound message's own MIME. */
  public record RawLocation(Buffer inline, String blobKey, long size, boolean encrypted) {}

  /** Where an attachment's octets are, with what the download headers need. */
  public record AttachmentContent(AttachmentInfo info, Buffer inline, String blobKey,
      boolean encrypted) {}

  private final Pool pool;

  public InboxQueries(Pool pool) {
    this.pool = pool;
  }

  /** The mailbox's last change sequence number (0 before its first change). */
  public Future<Long> changeSeq(UUID mailboxId) {
    return pool.preparedQuery("SELECT change_seq FROM mailboxes WHERE id = $1")
        .execute(Tuple.of(mailboxId))
        .map(rows -> first(rows).map(row -> row.getLong(0)).orElse(0L));
  }

  public Future<Optional<InboxMailbox>> mailboxById(UUID id) {
    return pool.preparedQuery("SELECT id, address, encryption_tier, change_seq FROM mailboxes WHERE id = $1")
        .execute(Tuple.of(id)).map(InboxQueries::mailbox);
  }

  /** A mailbox of this domain by address (case-insensitive) or by id. */
  public Future<Optional<InboxMailbox>> mailboxInDomain(UUID domainId, String addressOrId) {
    UUID id = uuidOrNull(addressOrId);
    return pool.preparedQuery("SELECT id, address, encryption_tier, change_seq FROM mailboxes"
            + " WHERE domain_id = $1 AND (lower(address) = lower($2) OR id = $3)")
        .execute(Tuple.of(domainId, addressOrId, id)).map(InboxQueries::mailbox);
  }

  /** One page, newest first; one row more than the page is read to know whether more follow. */
  public Future<MessagePage> list(UUID mailboxId, ListFilter filter) {
    StringBuilder sql = new StringBuilder("SELECT ").append(SUMMARY_COLUMNS)
        .append(" FROM mail_messages m WHERE m.mailbox_id = $1 AND m.folder = $2");
    Tuple args = Tuple.of(mailboxId, filter.folder());
    if (filter.before() != null) {
      args.addValue(filter.before().atOffset(ZoneOffset.UTC));
      sql.append(" AND m.received_at < $").append(args.size());
    }
    if (filter.unread() != null) {
      args.addValue(SEEN);
      sql.append(filter.unread() ? " AND NOT" : " AND").append(" ($").append(args.size())
          .append(" = ANY (m.flags))");
    }
    if (filter.starred() != null) {
      args.addValue(FLAGGED);
      sql.append(filter.starred() ? " AND" : " AND NOT").append(" ($").append(args.size())
          .append(" = ANY (m.flags))");
    }
    if (filter.from() != null) {
      args.addValue(filter.from());
      int n = args.size();
      sql.append(filter.from().contains("@")
          ? " AND lower(m.from_address) = $" + n
          : " AND lower(split_part(m.from_address, '@', 2)) = $" + n);
    }
    if (filter.hasAttachments() != null) {
      args.addValue(filter.hasAttachments());
      sql.append(" AND m.has_attachments = $").append(args.size());
    }
    if (filter.query() != null) {
      args.addValue(filter.query());
      sql.append(" AND m.search @@ websearch_to_tsquery('simple', $").append(args.size()).append(")");
    }
    args.addValue(filter.limit() + 1);
    sql.append(" ORDER BY m.received_at DESC, m.id DESC LIMIT $").append(args.size());
    return pool.preparedQuery(sql.toString()).execute(args).map(rows -> {
      List<MessageSummary> messages = new ArrayList<>();
      rows.forEach(row -> messages.add(summary(row)));
      Instant next = null;
      if (messages.size() > filter.limit()) {
        messages.remove(messages.size() - 1);
        next = messages.get(messages.size() - 1).receivedAt();
      }
      return new MessagePage(messages, next);
    });
  }

  public Future<Optional<MessageSummary>> summary(UUID mailboxId, UUID messageId) {
    return pool.preparedQuery("SELECT " + SUMMARY_COLUMNS
            + " FROM mail_messages m WHERE m.id = $1 AND m.mailbox_id = $2")
        .execute(Tuple.of(messageId, mailboxId))
        .map(rows -> first(rows).map(InboxQueries::summary));
  }

  public Future<Optional<MessageDetail>> detail(UUID mailboxId, UUID messageId) {
    return pool.preparedQuery("SELECT " + DETAIL_COLUMNS
            + " FROM mail_messages m WHERE m.id = $1 AND m.mailbox_id = $2")
        .execute(Tuple.of(messageId, mailboxId))
        .map(rows -> first(rows).map(InboxQueries::detail));
  }

  /** A thread of this mailbox, oldest first (at most {@code max} messages); empty when unknown. */
  public Future<Optional<MessageThread>> thread(UUID mailboxId, UUID threadId, int max) {
    return pool.preparedQuery("SELECT t.subject AS thread_subject, " + DETAIL_COLUMNS
            + " FROM mail_threads t LEFT JOIN mail_messages m ON m.thread_id = t.id AND m.mailbox_id = t.mailbox_id"
            + " WHERE t.id = $1 AND t.mailbox_id = $2 ORDER BY m.received_at, m.id LIMIT $3")
        .execute(Tuple.of(threadId, mailboxId, max))
        .map(rows -> {
          List<MessageDetail> messages = new ArrayList<>();
          String subject = null;
          for (Row row : rows) {
            subject = row.getString("thread_subject");
            if (row.getUUID("id") != null) {
              messages.add(detail(row));
            }
          }
          return messages.isEmpty() ? Optional.<MessageThread>empty()
              : Optional.of(new MessageThread(threadId, subject, messages));
        });
  }

  /** The message's attachments in order; empty when the message is not in this mailbox. */
  public Future<Optional<List<AttachmentInfo>>> attachments(UUID mailboxId, UUID messageId) {
    return pool.preparedQuery("SELECT a.id, a.position, a.filename, a.content_type, a.disposition,"
            + " a.content_id, a.size FROM mail_messages m LEFT JOIN mail_attachments a ON a.message_id = m.id"
            + " WHERE m.id = $1 AND m.mailbox_id = $2 ORDER BY a.position")
        .execute(Tuple.of(messageId, mailboxId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          List<AttachmentInfo> out = new ArrayList<>();
          rows.forEach(row -> {
            if (row.getUUID("id") != null) {
              out.add(attachment(row));
            }
          });
          return Optional.of(out);
        });
  }

  public Future<Optional<AttachmentContent>> attachment(UUID mailboxId, UUID messageId,
      UUID attachmentId) {
    return pool.preparedQuery("SELECT a.id, a.position, a.filename, a.content_type, a.disposition,"
            + " a.content_id, a.size, a.content, a.blob_key, m.encrypted"
            + " FROM mail_attachments a JOIN mail_messages m ON m.id = a.message_id"
            + " WHERE a.id = $1 AND m.id = $2 AND m.mailbox_id = $3")
        .execute(Tuple.of(attachmentId, messageId, mailboxId))
        .map(rows -> first(rows).map(row -> new AttachmentContent(attachment(row),
            row.getBuffer("content"), row.getString("blob_key"), row.getBoolean("encrypted"))));
  }

  /** Where the message's original MIME is: its own raw row, or the outbound message it points at. */
  public Future<Optional<RawLocation>> raw(UUID mailboxId, UUID messageId) {
    return pool.preparedQuery("SELECT coalesce(r.mime_inline, o.mime_inline) AS inline,"
            + " coalesce(r.blob_key, o.blob_key) AS blob_key, r.mime_size, r.encrypted"
            + " FROM mail_messages m JOIN inbound_raw r ON r.id = m.raw_id"
            + " LEFT JOIN outbound_messages o ON o.id = r.outbound_id"
            + " WHERE m.id = $1 AND m.mailbox_id = $2")
        .execute(Tuple.of(messageId, mailboxId))
        .map(rows -> first(rows).map(row -> new RawLocation(row.getBuffer("inline"),
            row.getString("blob_key"), row.getLong("mime_size"), row.getBoolean("encrypted"))));
  }

  static MessageSummary summary(Row row) {
    List<String> flags = List.of(row.getArrayOfStrings("flags"));
    boolean encrypted = row.getBoolean("encrypted");
    return new MessageSummary(row.getUUID("id"), row.getString("message_id_header"),
        row.getString("from_name"), row.getString("from_address"),
        List.of(row.getArrayOfStrings("to_addresses")),
        encrypted ? null : row.getString("subject"), encrypted ? null : row.getString("preview"),
        row.getOffsetDateTime("received_at").toInstant(), row.getString("folder"),
        flags.contains(SEEN), flags.contains(FLAGGED), row.getBoolean("has_attachments"),
        row.getLong("size_bytes"), row.getUUID("thread_id"), encrypted);
  }

  private static MessageDetail detail(Row row) {
    List<MessageDetail.Header> headers = new ArrayList<>();
    if (row.getValue("headers") instanceof JsonArray fields) {
      for (Object field : fields) {
        if (field instanceof JsonObject f && f.getValue("name") instanceof String name) {
          headers.add(new MessageDetail.Header(name, f.getString("value", "")));
        }
      }
    }
    List<AttachmentInfo> attachments = new ArrayList<>();
    Object json = row.getValue("attachments");
    JsonArray list = json instanceof JsonArray array ? array
        : json instanceof String text ? new JsonArray(text) : new JsonArray();
    for (Object item : list) {
      JsonObject a = (JsonObject) item;
      attachments.add(new AttachmentInfo(UUID.fromString(a.getString("id")), a.getInteger("position"),
          a.getString("filename"), a.getString("content_type"), a.getString("disposition"),
          a.getString("content_id"), a.getLong("size")));
    }
    var sentAt = row.getOffsetDateTime("sent_at");
    return new MessageDetail(summary(row), headers, List.of(row.getArrayOfStrings("cc_addresses")),
        sentAt == null ? null : sentAt.toInstant(), row.getString("text_body"),
        row.getString("html_body"), row.getString("in_reply_to"),
        List.of(row.getArrayOfStrings("references_ids")), row.getInteger("thread_position"),
        attachments);
  }

  private static AttachmentInfo attachment(Row row) {
    return new AttachmentInfo(row.getUUID("id"), row.getInteger("position"),
        row.getString("filename"), row.getString("content_type"), row.getString("disposition"),
        row.getString("content_id"), row.getLong("size"));
  }

  private static Optional<InboxMailbox> mailbox(RowSet<Row> rows) {
    return first(rows).map(row -> new InboxMailbox(row.getUUID("id"), row.getString("address"),
        EncryptionTier.fromWire(row.getString("encryption_tier")).orElseThrow(),
        row.getLong("change_seq")));
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
  }

  static UUID uuidOrNull(String text) {
    if (text == null || text.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
