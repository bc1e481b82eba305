package dev.postern.support;

import dev.postern.inbound.parse.ParsedAttachment;
import dev.postern.inbound.store.FiledMessage;
import dev.postern.inbound.store.MailChangeEvents;
import dev.postern.inbound.store.MailStore;
import dev.postern.inbound.store.NewMessage;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Stored messages for tests of the inbox API that need exact times, flags and bodies: filed
 * through a {@link MailStore} (UIDs, change seq, threading, attachments, change log, NOTIFY) from
 * given fields, without the MX and the parser (tests of that path deliver over SMTP instead).
 * Mailboxes are rows written with SQL.
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
    boolean encrypted;
    byte[] raw;
    String rawBlobKey;
    long rawSize = -1;
    final List<ParsedAttachment> attachments = new ArrayList<>();

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
    public Mail encrypted() { encrypted = true; return this; }
    public Mail raw(byte[] v) { raw = v; return this; }
    public Mail rawBlob(String key, long size) { rawBlobKey = key; rawSize = size; return this; }
    /** As the parser hands it over; more than 64 KiB goes to the blob store. */
    public Mail attach(String filename, String contentType, byte[] content) {
      attachments.add(new ParsedAttachment(filename, contentType, "attachment", Optional.empty(), content));
      return this;
    }
  }

  /** What was filed: the message's id, its thread and its attachments' ids in order. */
  public record Filed(UUID id, UUID threadId, List<UUID> attachmentIds) {}

  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;
  private final MailStore store;

  /**
   * A store of its own over the gateway's database and blob store: like another node, it
   * announces its commits with {@code postern_mail} NOTIFYs, which is how the gateway hears of them.
   */
  public InboxSeed(TestGateway gateway) {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(gateway.pgUrl())
        .using(vertx).build();
    store = new MailStore(pool, gateway.core().blobs(), new MailChangeEvents(vertx, pool, 5));
  }

  /** The seed's mail store (flag changes and moves as another node makes them). */
  public MailStore store() {
    return store;
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

  /**
   * Files {@code m} through the mail store: the raw row as the acceptor commits it (SQL: the
   * acceptor's part), then {@link MailStore#file}, which takes the folder's UID and the
   * mailbox's change seq, threads by the message's ids, stores attachments (large ones in the
   * gateway's blob store) and logs the change. {@code receivedAt} is kept unless it is not later
   * than the mailbox's previous message (then 1 µs after it, V006): file in time order.
   */
  public Filed file(UUID mailboxId, Mail m) {
    UUID rawId = UUID.randomUUID();
    byte[] raw = m.raw != null ? m.raw : ("Message-ID: <" + m.messageId + ">\r\nSubject: " + m.subject
        + "\r\n\r\n" + m.text + "\r\n").getBytes(StandardCharsets.UTF_8);
    long size = m.rawBlobKey == null ? raw.length : m.rawSize;
    pool.preparedQuery("INSERT INTO inbound_raw (id, source, encrypted, mime_inline, blob_key, mime_size)"
            + " VALUES ($1, 'mx', $2, $3, $4, $5)")
        .execute(Tuple.of(rawId, m.encrypted, m.rawBlobKey == null ? Buffer.buffer(raw) : null,
            m.rawBlobKey, size)).await();
    JsonArray headers = new JsonArray()
        .add(new JsonObject().put("name", "From").put("value", m.fromAddress))
        .add(new JsonObject().put("name", "Subject").put("value", m.subject))
        .add(new JsonObject().put("name", "X-Mailer").put("value", "seed"))
        .add(new JsonObject().put("name", "Received").put("value", "from a"))
        .add(new JsonObject().put("name", "Received").put("value", "from b"));
    boolean sealed = m.encrypted;
    NewMessage message = new NewMessage(mailboxId, m.folder, rawId, null, m.receivedAt, size, sealed,
        false, m.to.isEmpty() ? null : m.to.get(0), null, m.messageId, m.inReplyTo, m.references,
        m.fromName, m.fromAddress, m.to, List.of(), sealed ? null : m.subject, null,
        sealed ? null : headers, sealed ? null : m.text, sealed ? null : m.html,
        sealed ? List.of() : m.attachments, Set.copyOf(m.flags));
    FiledMessage filed = store.file(message).await();
    List<UUID> attachmentIds = new ArrayList<>();
    pool.preparedQuery("SELECT id FROM mail_attachments WHERE message_id = $1 ORDER BY position")
        .execute(Tuple.of(filed.id())).await().forEach(r -> attachmentIds.add(r.getUUID(0)));
    return new Filed(filed.id(), filed.threadId(), attachmentIds);
  }

  /**
   * {@code count} plain messages filed one after another through the store, all received in
   * {@code second}: the store gives each its own microsecond, in filing order, subjects
   * {@code "bulk <i>"} ({@code second} + i µs when the mailbox had nothing later).
   */
  public void bulk(UUID mailboxId, String folder, int count, Instant second) {
    for (int i = 0; i < count; i++) {
      file(mailboxId, mail().folder(folder).from(null, "bulk@sender.test").subject("bulk " + i)
          .text("body " + i).receivedAt(second));
    }
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
