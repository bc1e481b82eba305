package dev.postern.send;

import dev.postern.db.SqlArrays;
import dev.postern.queue.MessageStatus;
import dev.postern.queue.OutboundQueue;
import dev.postern.queue.RecipientStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The one statement that stores any number of accepted messages: their rows, recipients, first
 * events and queue rows, each table written by one multi-row {@code INSERT … SELECT FROM unnest}
 * (every column travels as one array). One statement is atomic on its own, so a batch of any
 * size is one round trip and one commit (one WAL flush).
 *
 * <p>With no relay configured (SPEC §4a) live mail is stored as it would look after the first
 * attempt — {@code deferred}, each recipient with reason {@value #NO_RELAY} — and its queue row
 * is {@link OutboundQueue#PARKED}: no worker claims, defers and re-claims it; a node started with
 * a relay unparks it.
 *
 * <p>Local delivery (issue #13.8, {@link LocalPlan}) rides in the same statement: recipients
 * settled at accept are written {@code delivered} or {@code bounced} with their reply and event,
 * and the copies to file become {@code inbound_raw} rows pointing at the message
 * ({@code outbound_id}: its MIME is not copied; one raw per source and tier) and one
 * {@code inbound_deliveries} row each, which the filing pipeline claims. No extra commit. A batch
 * without local filings (almost every batch) runs the variant of the statement without those two
 * CTEs: each data-modifying CTE costs PostgreSQL executor start-up (its table, its indexes, its
 * triggers opened) on every execution, rows or not.
 */
final class OutboundInsert {

  /** The reason mail waits while no relay is configured (SPEC §4a), as the worker reports it. */
  static final String NO_RELAY = "no relay configured";

  private static final String INSERT = """
      WITH %s m AS (
        INSERT INTO outbound_messages (id, api_key_id, domain_id, mailbox_id, mode, source,
          message_id_header, envelope_from, from_header, to_addresses, cc_addresses, bcc_addresses,
          reply_to, subject, tags, in_reply_to, status, last_event, mime_inline, blob_key, mime_size,
          mime_sha256, scheduled_at)
        SELECT id, api_key_id, domain_id, mailbox_id, mode, source, message_id_header, envelope_from,
               from_header, to_addresses::text[], cc_addresses::text[], bcc_addresses::text[],
               reply_to::text[], subject, tags::jsonb, in_reply_to, status, status, mime_inline,
               blob_key, mime_size, mime_sha256, scheduled_at
          FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
                      $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                      $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::bytea[],
                      $19::text[], $20::bigint[], $21::bytea[], $22::timestamptz[])
               AS t(id, api_key_id, domain_id, mailbox_id, mode, source, message_id_header,
                    envelope_from, from_header, to_addresses, cc_addresses, bcc_addresses, reply_to,
                    subject, tags, in_reply_to, status, mime_inline, blob_key, mime_size, mime_sha256,
                    scheduled_at)),
      r AS (
        INSERT INTO outbound_recipients (message_id, address, kind, status, reply)
        SELECT * FROM unnest($23::uuid[], $24::text[], $25::text[], $26::text[], $27::text[])),
      e AS (
        INSERT INTO outbound_events (message_id, type, recipient, reply)
        SELECT message_id, type, recipient, reply
          FROM unnest($28::uuid[], $29::text[], $30::text[], $31::text[])
               WITH ORDINALITY AS e(message_id, type, recipient, reply, n)
         ORDER BY n),
      q AS (%s)%s
      SELECT %s""";

  private static final String QUEUE_ROWS = """
      (SELECT id, CASE WHEN parked THEN '%s'::timestamptz ELSE due END AS due_at,
              CASE WHEN parked THEN $35 END AS last_error
         FROM unnest($32::uuid[], $33::timestamptz[], $34::bool[]) AS u(id, due, parked)) AS live""";

  /** The parameters {@link #tuple} binds without local filings: the insert's 35. */
  static final int PARAMETERS = 35;

  /** With local filings: 13 more ({@link LocalFilingRows}). */
  static final int LOCAL_PARAMETERS = PARAMETERS + 13;

  private final String sql;
  private final String localSql;
  private final String queueRows;
  private final boolean relays;

  /** @param relays whether this node has a relay configured (else live mail is parked) */
  OutboundInsert(OutboundQueue queue, boolean relays) {
    this.queueRows = queue.enqueue(QUEUE_ROWS.formatted(OutboundQueue.PARKED));
    this.sql = withCte(false, "", "1");
    this.localSql = withCte(true, "", "1");
    this.relays = relays;
  }

  /** Whether any of the messages is filed into a mailbox here: which variant they need. */
  static boolean filesLocally(List<OutboundMessage> messages) {
    for (OutboundMessage m : messages) {
      if (!m.local().filings().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The statement for messages with ({@code local}) or without local filings. */
  String sql(boolean local) {
    return local ? localSql : sql;
  }

  /** Runs the variant of the statement the messages need, on a pool or in a transaction. */
  Future<RowSet<Row>> execute(SqlClient client, List<OutboundMessage> messages) {
    boolean local = filesLocally(messages);
    return client.preparedQuery(sql(local)).execute(tuple(messages, local));
  }

  /** The number of parameters {@link #tuple} binds for that variant. */
  static int parameters(boolean local) {
    return local ? LOCAL_PARAMETERS : PARAMETERS;
  }

  /**
   * The statement with one more leading CTE ({@code "name AS (…),"}, its parameters numbered
   * after {@link #parameters}) and another final select: how a caller makes more writes, and a
   * check on them, part of the same atomic statement.
   */
  String withCte(boolean local, String leadingCte, String finalSelect) {
    return INSERT.formatted(leadingCte, queueRows,
        local ? ",\n" + LocalFilingRows.ctes(PARAMETERS + 1) : "", finalSelect);
  }

  /** Whether the message waits, parked, for a relay to be configured. */
  boolean parks(OutboundMessage m) {
    return !relays && m.enqueue() && m.status() == MessageStatus.QUEUED;
  }

  /** Whether the message's queue row is due for a worker once committed (worth a wake-up). */
  boolean dueOnCommit(OutboundMessage m) {
    return m.enqueue() && !parks(m);
  }

  /** Row data of a message, roughly: what a batch's byte bound counts. */
  static long bytes(OutboundMessage m) {
    return 512 + (m.mimeInline() == null ? 0 : m.mimeInline().length());
  }

  /** @param withFilings whether to bind the local filings' arrays too ({@link #sql}'s variant) */
  Tuple tuple(List<OutboundMessage> messages, boolean withFilings) {
    int n = messages.size();
    UUID[] ids = new UUID[n];
    UUID[] keys = new UUID[n];
    UUID[] domains = new UUID[n];
    UUID[] mailboxes = new UUID[n];
    String[][] text = new String[13][n];
    Buffer[] inline = new Buffer[n];
    String[] blobKeys = new String[n];
    Long[] sizes = new Long[n];
    Buffer[] digests = new Buffer[n];
    OffsetDateTime[] scheduled = new OffsetDateTime[n];
    List<UUID> rcptIds = new ArrayList<>();
    List<String> rcptAddresses = new ArrayList<>();
    List<String> rcptKinds = new ArrayList<>();
    List<String> rcptStatuses = new ArrayList<>();
    List<String> rcptReplies = new ArrayList<>();
    List<UUID> eventIds = new ArrayList<>();
    List<String> eventTypes = new ArrayList<>();
    List<String> eventRecipients = new ArrayList<>();
    List<String> eventReplies = new ArrayList<>();
    List<UUID> queueIds = new ArrayList<>();
    List<OffsetDateTime> queueDue = new ArrayList<>();
    List<Boolean> queueParked = new ArrayList<>();
    LocalFilingRows filings = new LocalFilingRows();
    for (int i = 0; i < n; i++) {
      OutboundMessage m = messages.get(i);
      boolean parked = parks(m);
      MessageStatus status = parked ? MessageStatus.DEFERRED : m.status();
      ids[i] = m.id();
      keys[i] = m.apiKeyId();
      domains[i] = m.domainId();
      mailboxes[i] = m.mailboxId();
      text[0][i] = m.mode();
      text[1][i] = m.source();
      text[2][i] = m.messageIdHeader();
      text[3][i] = m.envelopeFrom();
      text[4][i] = m.fromHeader();
      text[5][i] = SqlArrays.textLiteral(m.to());
      text[6][i] = SqlArrays.textLiteral(m.cc());
      text[7][i] = SqlArrays.textLiteral(m.bcc());
      text[8][i] = SqlArrays.textLiteral(m.replyTo());
      text[9][i] = m.subject();
      text[10][i] = m.tags().encode();
      text[11][i] = m.inReplyTo();
      text[12][i] = status.wire();
      inline[i] = m.mimeInline();
      blobKeys[i] = m.blobKey();
      sizes[i] = m.mimeSize();
      digests[i] = Buffer.buffer(m.mimeSha256());
      scheduled[i] = utc(m.scheduledAt());
      // The first event is named after the initial status; a parked message then reports, per
      // recipient, the deferral the worker would have reported (DeliveryOutcome). A message
      // with recipients settled at accept was queued first, whatever its status now.
      LocalPlan local = m.local();
      RecipientStatus initial = local.isEmpty() ? m.status().initialRecipientStatus()
          : RecipientStatus.QUEUED;
      eventIds.add(m.id());
      eventTypes.add(initial.wire());
      eventRecipients.add(null);
      eventReplies.add(null);
      for (OutboundMessage.Recipient r : m.recipients()) {
        rcptIds.add(m.id());
        rcptAddresses.add(r.address());
        rcptKinds.add(r.kind());
        String settled = local.settledReply(r.address());
        if (settled != null) {
          RecipientStatus outcome = LocalPlan.filed(settled) ? RecipientStatus.DELIVERED
              : RecipientStatus.BOUNCED;
          rcptStatuses.add(outcome.wire());
          rcptReplies.add(settled);
          eventIds.add(m.id());
          eventTypes.add(outcome.wire());
          eventRecipients.add(r.address());
          eventReplies.add(settled);
          continue;
        }
        rcptStatuses.add(parked ? RecipientStatus.DEFERRED.wire() : initial.wire());
        rcptReplies.add(parked ? NO_RELAY : null);
        if (parked) {
          eventIds.add(m.id());
          eventTypes.add(RecipientStatus.DEFERRED.wire());
          eventRecipients.add(r.address());
          eventReplies.add(NO_RELAY);
        }
      }
      if (m.enqueue()) {
        queueIds.add(m.id());
        queueDue.add(utc(m.dueAt()));
        queueParked.add(parked);
      }
      if (withFilings) {
        filings.add(m);
      } else if (!m.local().filings().isEmpty()) {
        throw new IllegalArgumentException("message " + m.id() + " has local filings: bind with local");
      }
    }
    // addValue: Tuple.of would spread an array (varargs) into many parameters.
    Tuple t = Tuple.tuple().addValue(ids).addValue(keys).addValue(domains).addValue(mailboxes);
    for (String[] column : text) {
      t.addValue(column);
    }
    t.addValue(inline).addValue(blobKeys).addValue(sizes).addValue(digests).addValue(scheduled)
        .addValue(rcptIds.toArray(UUID[]::new)).addValue(rcptAddresses.toArray(String[]::new))
        .addValue(rcptKinds.toArray(String[]::new)).addValue(rcptStatuses.toArray(String[]::new))
        .addValue(rcptReplies.toArray(String[]::new))
        .addValue(eventIds.toArray(UUID[]::new)).addValue(eventTypes.toArray(String[]::new))
        .addValue(eventRecipients.toArray(String[]::new)).addValue(eventReplies.toArray(String[]::new))
        .addValue(queueIds.toArray(UUID[]::new)).addValue(queueDue.toArray(OffsetDateTime[]::new))
        .addValue(queueParked.toArray(Boolean[]::new)).addValue(NO_RELAY);
    return withFilings ? filings.addTo(t) : t;
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
