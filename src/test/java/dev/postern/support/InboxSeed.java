package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Mail-store rows (V005) written with SQL, for tests of the inbox read side that need stored
 * messages with exact times, flags and bodies. Files a message the way the store does (folder row,
 * UID from uidnext, change sequence from the mailbox row, raw MIME, thread, attachments), without
 * the parsing and filing pipeline.
 */
public final class InboxSeed implements AutoCloseable {

  /** One message to file; fluent setters, sensible defaults. */
  public static final class Mail {
    String folder = "inbox";
    String fromName = "Alice Example";
    String fromAddress = "alice@sender.test";
    List<String> to = List.of();
    String subject = "Hello";
    String text = "Hello there";
    String html;
    Instant receivedAt = Instant.now();
    List<String> flags = List.of();
    String messageId = UUID.randomUUID() + "@sender.test";
    String inReplyTo;
    List<String> references = List.of();
    UUID threadId;
    boolean encrypted;
    byte[] raw;
    String rawBlobKey;
    long rawSize = -1;
    final List<Object[]> attachments = new ArrayList<>();
    final List<Object[]> blobAttachments = new ArrayList<>();

    public Mail folder(String v) { folder = v; return this; }
    public Mail from(String name, String address) { fromName = name; fromAddress = address; return this; }
    public Mail to(String... v) { to = List.of(v); return this; }
    public Mail subject(String v) { subject = v; return this; }
    public Mail text(String v) { text = v; return this; }
    public Mail html(String v) { html = v; return this; }
    public Mail receivedAt(Instant v) { receivedAt = v; return this; }
    public Mail flags(String... v) { flags = List.of(v); return this; }
    public Mail messageId(String v) { messageId = v; return this; }
    public Mail inReplyTo(String v) { inReplyTo = v; return this; }
    public Mail references(String... v) { references = List.of(v); return this; }
    public Mail thread(UUID v) { threadId = v; return this; }
    public Mail encrypted() { encrypted = true; return this; }
    public Mail raw(byte[] v) { raw = v; return this; }
    public Mail rawBlob(String key, long size) { rawBlobKey = key; rawSize = size; return this; }
    public Mail attach(String filename, String contentType, byte[] content) {
      attachments.add(new Object[] {filename, contentType, content});
      return this;
    }
    public Mail attachBlob(String filename, String contentType, String blobKey, long size) {
      blobAttachments.add(new Object[] {filename, contentType, blobKey, size});
      return this;
    }
  }

  /** What was filed: the message's id, its thread and its attachments' ids in order. */
  public record Filed(UUID id, UUID threadId, List<UUID> attachmentIds) {}

  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;

  public InboxSeed(String pgUrl) {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(pgUrl).using(vertx).build();
  }

  public static Mail mail() {
    return new Mail();
  }

  /** A mailbox (and its domain) of the given tier: {@code plaintext} or {@code standard}. */
  public UUID mailbox(String address, String tier) {
    String domain = address.substring(address.indexOf('@') + 1).toLowerCase();
    UUID domainId = pool.preparedQuery("""
            INSERT INTO domains (id, name, verification_token, dkim_selector, dkim_public_key,
                                 dkim_private_sealed, dkim_private_salt, master_version)
            VALUES (gen_random_uuid(), $1, 'seed', 'seed', 'seed', '\\x00', '\\x00', 1)
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id""")
        .execute(Tuple.of(domain)).await().iterator().next().getUUID(0);
    UUID id = UUID.randomUUID();
    pool.preparedQuery("INSERT INTO mailboxes (id, domain_id, address, encryption_tier) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(id, domainId, address, tier)).await();
    return id;
  }

  public Filed file(UUID mailboxId, Mail m) {
    return pool.withTransaction(tx -> {
      UUID rawId = UUID.randomUUID();
      UUID messageId = UUID.randomUUID();
      byte[] raw = m.raw != null ? m.raw : ("Message-ID: <" + m.messageId + ">\r\nSubject: " + m.subject
          + "\r\n\r\n" + m.text + "\r\n").getBytes(StandardCharsets.UTF_8);
      return tx.preparedQuery("INSERT INTO mail_folders (mailbox_id, name, uidvalidity) VALUES ($1, $2, 7)"
              + " ON CONFLICT DO NOTHING").execute(Tuple.of(mailboxId, m.folder))
          .compose(v -> tx.preparedQuery("UPDATE mail_folders SET uidnext = uidnext + 1"
              + " WHERE mailbox_id = $1 AND name = $2 RETURNING uidnext - 1").execute(Tuple.of(mailboxId, m.folder)))
          .compose(uid -> tx.preparedQuery("UPDATE mailboxes SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq")
              .execute(Tuple.of(mailboxId)).map(seq -> new long[] {uid.iterator().next().getLong(0),
                  seq.iterator().next().getLong(0)}))
          .compose(uidSeq -> tx.preparedQuery("INSERT INTO inbound_raw (id, source, encrypted, mime_inline,"
                  + " blob_key, mime_size) VALUES ($1, 'mx', $2, $3, $4, $5)")
              .execute(Tuple.of(rawId, m.encrypted, m.rawBlobKey == null ? Buffer.buffer(raw) : null,
                  m.rawBlobKey, m.rawBlobKey == null ? (long) raw.length : m.rawSize))
              .map(uidSeq))
          .compose(uidSeq -> {
            UUID thread = m.threadId != null ? m.threadId : UUID.randomUUID();
            return tx.preparedQuery("INSERT INTO mail_threads (id, mailbox_id, subject, message_count)"
                    + " VALUES ($1, $2, $3, 1) ON CONFLICT (id) DO UPDATE SET message_count = mail_threads.message_count + 1"
                    + " RETURNING message_count")
                .execute(Tuple.of(thread, mailboxId, m.subject == null ? "" : m.subject))
                .compose(count -> {
                  JsonArray headers = new JsonArray()
                      .add(new JsonObject().put("name", "From").put("value", m.fromAddress))
                      .add(new JsonObject().put("name", "Subject").put("value", m.subject))
                      .add(new JsonObject().put("name", "X-Mailer").put("value", "seed"))
                      .add(new JsonObject().put("name", "Received").put("value", "from a"))
                      .add(new JsonObject().put("name", "Received").put("value", "from b"));
                  boolean hasAttachments = !m.attachments.isEmpty() || !m.blobAttachments.isEmpty();
                  return tx.preparedQuery("""
                          INSERT INTO mail_messages (id, mailbox_id, folder, uid, modseq, flags, raw_id,
                            thread_id, thread_position, received_at, size_bytes, encrypted, message_id_header,
                            in_reply_to, references_ids, from_name, from_address, to_addresses, subject,
                            headers, text_body, html_body, preview, has_attachments)
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                            $17, $18, $19, $20, $21, $22, $23, $24)""")
                      .execute(Tuple.tuple(List.of(messageId, mailboxId, m.folder, uidSeq[0], uidSeq[1],
                              m.flags.toArray(String[]::new), rawId, thread, count.iterator().next().getInteger(0),
                              m.receivedAt.atOffset(ZoneOffset.UTC), (long) raw.length, m.encrypted))
                          .addValue(m.messageId).addValue(m.inReplyTo).addValue(m.references.toArray(String[]::new))
                          .addValue(m.fromName).addValue(m.fromAddress).addValue(m.to.toArray(String[]::new))
                          .addValue(m.encrypted ? null : m.subject).addValue(m.encrypted ? null : headers)
                          .addValue(m.encrypted ? null : m.text).addValue(m.encrypted ? null : m.html)
                          .addValue(m.encrypted || m.text == null ? null : m.text.substring(0, Math.min(200, m.text.length())))
                          .addValue(hasAttachments))
                      .compose(v -> tx.preparedQuery("INSERT INTO mail_changes (mailbox_id, seq, kind, message_id, folder, uid)"
                          + " VALUES ($1, $2, 'new', $3, $4, $5)").execute(Tuple.of(mailboxId, uidSeq[1], messageId, m.folder, uidSeq[0])))
                      .map(thread);
                });
          })
          .compose(thread -> {
            List<UUID> ids = new ArrayList<>();
            List<Tuple> rows = new ArrayList<>();
            int position = 0;
            for (Object[] a : m.attachments) {
              UUID id = UUID.randomUUID();
              ids.add(id);
              rows.add(Tuple.of(id, messageId, position++, a[0], a[1], (long) ((byte[]) a[2]).length)
                  .addValue(Buffer.buffer((byte[]) a[2])).addValue(null));
            }
            for (Object[] a : m.blobAttachments) {
              UUID id = UUID.randomUUID();
              ids.add(id);
              rows.add(Tuple.of(id, messageId, position++, a[0], a[1], a[3]).addValue(null).addValue(a[2]));
            }
            if (rows.isEmpty()) {
              return io.vertx.core.Future.succeededFuture(new Filed(messageId, thread, ids));
            }
            return tx.preparedQuery("INSERT INTO mail_attachments (id, message_id, position, filename,"
                    + " content_type, size, content, blob_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .executeBatch(rows).map(new Filed(messageId, thread, ids));
          });
    }).await();
  }

  /**
   * {@code count} plain messages received within one second starting at {@code second}, each at
   * its own microsecond (as the store assigns them), subjects {@code "bulk <i>"}, in one statement.
   */
  public void bulk(UUID mailboxId, String folder, int count, Instant second) {
    UUID rawId = UUID.randomUUID();
    pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO mail_folders (mailbox_id, name, uidvalidity)"
            + " VALUES ($1, $2, 7) ON CONFLICT DO NOTHING").execute(Tuple.of(mailboxId, folder))
        .compose(v -> tx.preparedQuery("INSERT INTO inbound_raw (id, source, encrypted, mime_inline, mime_size)"
            + " VALUES ($1, 'mx', false, '\\x41', 1)").execute(Tuple.of(rawId)))
        .compose(v -> tx.preparedQuery("""
            INSERT INTO mail_messages (id, mailbox_id, folder, uid, modseq, raw_id, received_at, size_bytes,
              encrypted, from_address, subject, text_body, preview)
            SELECT gen_random_uuid(), $1, $2, 1000000 + i, i, $3, $4::timestamptz + i * interval '1 microsecond', 1, false,
              'bulk@sender.test', 'bulk ' || i, 'body ' || i, 'body ' || i
            FROM generate_series(0, $5 - 1) AS i""")
            .execute(Tuple.of(mailboxId, folder, rawId, second.atOffset(ZoneOffset.UTC), count)))).await();
  }

  /** The first column of the first row of a query, as text (null when there is none). */
  public String text(String query, Object... args) {
    var rows = pool.preparedQuery(query).execute(Tuple.from(args)).await();
    return rows.size() == 0 ? null : String.valueOf(rows.iterator().next().getValue(0));
  }

  /** Runs one statement (e.g. to change a flag behind the API's back). */
  public void sql(String statement, Object... args) {
    pool.preparedQuery(statement).execute(Tuple.from(args)).await();
  }

  @Override
  public void close() {
    pool.close().await();
    vertx.close().await();
  }
}
