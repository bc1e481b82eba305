package dev.postern.inbound.store;

import dev.postern.db.SqlArrays;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The statements of filing a group of messages into ONE mailbox (one message is a group of one),
 * in one transaction on one connection, pipelined in two round trips after which the
 * transaction commits (one commit, one fsync, for the whole group):
 * <ol>
 *   <li>lock the mailbox row and read its change seq and last received_at
 *       ({@code SELECT … FOR NO KEY UPDATE}: the lock, held to commit, orders the mailbox's commits by
 *       seq — V005's gap-free argument — and serialises threading decisions in the mailbox);
 *       take the group's N change seqs, storage and received_at in one {@code UPDATE}; take each
 *       folder's next UIDs in one statement per folder (row created on demand with a random
 *       uidvalidity, highestmodseq raised to the folder's last seq of the group); look up the
 *       threads the group's ids are known to;</li>
 *   <li>decide threads in memory in order ({@link GroupThreads}), then write the new thread rows,
 *       each growth or merge, the refs, the messages (thread_position included: no
 *       insert-then-update), their attachments and the {@code new} changes, renumber merged
 *       threads, and run the caller's own step ({@link MailStore.OnFiled}). The threads, refs,
 *       messages and changes are one statement each over {@code unnest} arrays, not one per
 *       message: each execution costs PostgreSQL and the client a fixed share (bench
 *       mx-accept: four to five executions per filed message before).</li>
 * </ol>
 * Every store transaction takes the mailbox row first, then folder rows, then thread and message
 * rows: one lock order, so store transactions never deadlock with each other.
 */
final class MessageFiling {

  /** One message of a group: its id, chosen before, and its attachments, uploaded before. */
  record Item(UUID id, NewMessage message, StoredAttachments attachments) {}

  /**
   * FOR NO KEY UPDATE, not FOR UPDATE: it still excludes every other filing and edit of the
   * mailbox (and its delete, which takes FOR UPDATE), but not the KEY SHARE lock that an insert
   * referencing the mailbox takes for its foreign-key check. With FOR UPDATE every MX accept
   * (inbound_deliveries.mailbox_id) waited for the mailbox's filing transaction in flight: the
   * accept statement took 9 ms for 10 messages, most of it waiting (bench mx-accept, session 10).
   */
  static final String LOCK =
      "SELECT change_seq, last_received_at FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE";

  /**
   * The group's N change seqs, its storage use and the mailbox's last received_at (V006): each
   * message gets its receipt time, or 1 µs after the mailbox's previous message when that is
   * not earlier — unique and ascending per mailbox because the row lock serialises the
   * mailbox's filings. $4 is the last of those values as far as the group alone decides it
   * ({@link #lastCandidate}); the stored value below it pushes it on by N µs.
   */
  private static final String TAKE_SEQS = """
      UPDATE mailboxes SET change_seq = change_seq + $2::bigint,
             storage_used_bytes = storage_used_bytes + $3::bigint,
             last_received_at = greatest($4::timestamptz, last_received_at + $2::bigint * interval '1 microsecond')
       WHERE id = $1""";

  /** RFC 3501 §2.3.1.1: UIDs ascend strictly and are never reused while uidvalidity stays. */
  static final String TAKE_UID = """
      INSERT INTO mail_folders AS f (mailbox_id, name, uidvalidity, uidnext, highestmodseq)
      VALUES ($1, $2, $3, 2, (SELECT change_seq FROM mailboxes WHERE id = $1))
      ON CONFLICT (mailbox_id, name) DO UPDATE
        SET uidnext = f.uidnext + 1, highestmodseq = (SELECT change_seq FROM mailboxes WHERE id = $1)
      RETURNING uidnext - 1 AS uid""";

  /**
   * $4 UIDs of one folder for the group (after {@link #TAKE_SEQS}): answers the first; the
   * folder's highestmodseq becomes the seq of its last message in the group, which is the
   * mailbox's new change_seq less $5 (the group's messages after it).
   */
  private static final String TAKE_UIDS = """
      INSERT INTO mail_folders AS f (mailbox_id, name, uidvalidity, uidnext, highestmodseq)
      VALUES ($1, $2, $3, 1 + $4::bigint, (SELECT change_seq FROM mailboxes WHERE id = $1) - $5::bigint)
      ON CONFLICT (mailbox_id, name) DO UPDATE
        SET uidnext = f.uidnext + $4::bigint,
            highestmodseq = (SELECT change_seq FROM mailboxes WHERE id = $1) - $5::bigint
      RETURNING uidnext - $4::bigint AS first_uid""";

  /** The group's messages, one statement (one execution, not one per row). */
  private static final String INSERT = """
      INSERT INTO mail_messages (id, mailbox_id, folder, uid, modseq, flags, raw_id, delivery_id,
          thread_id, received_at, size_bytes, encrypted, parse_failed, recipient, tag,
          message_id_header, in_reply_to, references_ids, from_name, from_address, to_addresses,
          cc_addresses, subject, sent_at, headers, text_body, html_body, preview, has_attachments,
          thread_position)
      SELECT id, $1, folder, uid, modseq, flags::text[], raw_id, delivery_id, thread_id,
             received_at, size_bytes, encrypted, parse_failed, recipient, tag, message_id_header,
             in_reply_to, references_ids::text[], from_name, from_address, to_addresses::text[],
             cc_addresses::text[], subject, sent_at, headers::jsonb, text_body, html_body, preview,
             has_attachments, thread_position
        FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::uuid[],
                    $8::uuid[], $9::uuid[], $10::timestamptz[], $11::bigint[], $12::bool[],
                    $13::bool[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                    $19::text[], $20::text[], $21::text[], $22::text[], $23::text[],
                    $24::timestamptz[], $25::text[], $26::text[], $27::text[], $28::text[],
                    $29::bool[], $30::int[])
             AS t(id, folder, uid, modseq, flags, raw_id, delivery_id, thread_id, received_at,
                  size_bytes, encrypted, parse_failed, recipient, tag, message_id_header,
                  in_reply_to, references_ids, from_name, from_address, to_addresses,
                  cc_addresses, subject, sent_at, headers, text_body, html_body, preview,
                  has_attachments, thread_position)""";

  /** The group's {@code new} changes, one statement. */
  private static final String LOG_NEW = """
      INSERT INTO mail_changes (mailbox_id, seq, kind, message_id, folder, uid)
      SELECT $1, seq, 'new', id, folder, uid
        FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::bigint[]) AS t(seq, id, folder, uid)""";

  private static final Duration MICROSECOND = Duration.ofNanos(1_000);

  private MessageFiling() {}

  /** A uidvalidity for a new folder: random in [1, 2^32-1] (RFC 3501 §2.3.1.1). */
  static long newUidValidity() {
    return ThreadLocalRandom.current().nextLong(1, 1L << 32);
  }

  /** Files the group (non-empty, all of {@code mailboxId}); answers the messages in order. */
  static Future<List<FiledMessage>> file(SqlConnection c, UUID mailboxId, List<Item> items,
      MailStore.OnFiled also) {
    int n = items.size();
    List<Instant> receipts = items.stream()
        .map(i -> i.message().receivedAt().truncatedTo(ChronoUnit.MICROS)).toList();
    long bytes = items.stream().mapToLong(i -> i.message().sizeBytes()).sum();
    Future<Row> locked = c.preparedQuery(LOCK).execute(Tuple.of(mailboxId)).map(rows -> {
      if (rows.size() == 0) {
        throw new IllegalArgumentException("no mailbox " + mailboxId);
      }
      return rows.iterator().next();
    });
    Future<?> taken = c.preparedQuery(TAKE_SEQS).execute(Tuple.of(mailboxId, (long) n, bytes,
        lastCandidate(receipts).atOffset(ZoneOffset.UTC)));
    // Per folder, in order of first appearance: how many messages, and the index of its last.
    Map<String, int[]> folders = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      int[] folder = folders.computeIfAbsent(items.get(i).message().folder(), k -> new int[2]);
      folder[0]++;
      folder[1] = i;
    }
    Map<String, Future<Long>> firstUids = new LinkedHashMap<>();
    folders.forEach((folder, counts) -> firstUids.put(folder, c.preparedQuery(TAKE_UIDS)
        .execute(Tuple.of(mailboxId, folder, newUidValidity(), (long) counts[0],
            (long) (n - 1 - counts[1])))
        .map(rows -> rows.iterator().next().getLong("first_uid"))));
    Set<String> keys = new LinkedHashSet<>();
    items.forEach(i -> keys.addAll(i.message().threadKeys()));
    Future<Map<String, UUID>> refs = Threader.refs(c, mailboxId, keys);
    Future<List<Threader.Existing>> threads = Threader.threads(c, mailboxId, keys);
    List<Future<?>> first = new ArrayList<>(List.of(locked, taken, refs, threads));
    first.addAll(firstUids.values());
    return Future.all(first).compose(v -> {
      OffsetDateTime last = locked.result().getOffsetDateTime("last_received_at");
      long seq0 = locked.result().getLong("change_seq");
      Map<String, Long> nextUid = new HashMap<>();
      firstUids.forEach((folder, uid) -> nextUid.put(folder, uid.result()));
      GroupThreads threading = new GroupThreads(refs.result(), threads.result());
      List<FiledMessage> placed = new ArrayList<>(n);
      List<Threader.Placed> decisions = new ArrayList<>(n);
      Instant previous = last == null ? null : last.toInstant();
      for (int i = 0; i < n; i++) {
        NewMessage m = items.get(i).message();
        Instant at = previous == null || receipts.get(i).isAfter(previous) ? receipts.get(i)
            : previous.plus(MICROSECOND);
        previous = at;
        long uid = nextUid.merge(m.folder(), 1L, Long::sum) - 1;
        GroupThreads.Placement p = threading.place(m.threadKeys(), Text.clean(m.subject()), at);
        decisions.add(new Threader.Placed(p.decision(), at));
        placed.add(new FiledMessage(items.get(i).id(), mailboxId, m.folder(), uid, seq0 + 1 + i,
            p.decision().threadId(), p.position(), at, false));
      }
      // Statements run in the order they are sent: the thread rows first (the messages and the
      // refs reference them), then the refs with the threads they end in after the group.
      List<Future<?>> writes = new ArrayList<>(Threader.apply(c, mailboxId, decisions));
      Map<String, UUID> keyThreads = new LinkedHashMap<>();
      keys.forEach(key -> keyThreads.put(key, threading.threadOfKey(key)));
      writes.add(Threader.recordRefs(c, mailboxId, keyThreads));
      List<Tuple> parts = new ArrayList<>();
      List<FiledMessage> filed = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        FiledMessage p = placed.get(i);
        FiledMessage f = new FiledMessage(p.id(), mailboxId, p.folder(), p.uid(), p.seq(),
            threading.threadOf(i), p.threadPosition(), p.receivedAt(), false);
        parts.addAll(items.get(i).attachments().rows(f.id()));
        filed.add(f);
      }
      writes.add(c.preparedQuery(INSERT).execute(messageRows(mailboxId, items, filed)));
      writes.add(StoredAttachments.insert(c, parts));
      writes.add(c.preparedQuery(LOG_NEW).execute(Tuple.of(mailboxId)
          .addValue(filed.stream().map(FiledMessage::seq).toArray(Long[]::new))
          .addValue(filed.stream().map(FiledMessage::id).toArray(UUID[]::new))
          .addValue(filed.stream().map(FiledMessage::folder).toArray(String[]::new))
          .addValue(filed.stream().map(FiledMessage::uid).toArray(Long[]::new))));
      List<Future<Map<UUID, Integer>>> renumbered = threading.toRenumber().stream()
          .map(thread -> Threader.renumber(c, thread)).toList();
      writes.addAll(renumbered);
      writes.add(also.run(c, items.stream().map(Item::message).toList(), filed));
      return Future.all(writes).map(done -> {
        Map<UUID, Integer> positions = new HashMap<>();
        renumbered.forEach(r -> positions.putAll(r.result()));
        return filed.stream().map(f -> positions.containsKey(f.id())
            ? new FiledMessage(f.id(), f.mailboxId(), f.folder(), f.uid(), f.seq(), f.threadId(),
                positions.get(f.id()), f.receivedAt(), false)
            : f).toList();
      });
    });
  }

  /**
   * The group's last received_at as if the mailbox had none before: with receipts r_1..r_N and
   * x_i = max(r_i, x_{i-1} + 1 µs), x_N = max over k of (r_k + (N - k) µs); the stored previous
   * value L adds the term L + N µs, which {@link #TAKE_SEQS} applies.
   */
  static Instant lastCandidate(List<Instant> receipts) {
    int n = receipts.size();
    Instant last = null;
    for (int k = 0; k < n; k++) {
      Instant candidate = receipts.get(k).plus(MICROSECOND.multipliedBy(n - 1 - k));
      if (last == null || candidate.isAfter(last)) {
        last = candidate;
      }
    }
    return last;
  }

  private static final String EARLIER = """
      SELECT id, folder, uid, modseq, thread_id, thread_position, received_at FROM mail_messages
       WHERE delivery_id = $1""";

  /** The delivery was filed before: its message, and the caller's step run again. */
  static Future<FiledMessage> earlier(SqlConnection c, NewMessage m, MailStore.OnFiled also) {
    return c.preparedQuery(EARLIER).execute(Tuple.of(m.deliveryId())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new IllegalStateException(
            "delivery " + m.deliveryId() + " was filed and its message expunged since"));
      }
      Row r = rows.iterator().next();
      UUID id = r.getUUID("id");
      Integer position = r.getInteger("thread_position");
      FiledMessage earlier = new FiledMessage(id, m.mailboxId(), r.getString("folder"),
          r.getLong("uid"), r.getLong("modseq"), r.getUUID("thread_id"),
          position == null ? 0 : position, r.getOffsetDateTime("received_at").toInstant(), true);
      return also.run(c, List.of(m), List.of(earlier)).map(v -> earlier);
    });
  }

  /** {@link #INSERT}'s parameters: the mailbox, then one array per column, a row per message. */
  private static Tuple messageRows(UUID mailboxId, List<Item> items, List<FiledMessage> filed) {
    int n = items.size();
    Object[][] columns = {
        new UUID[n], new String[n], new Long[n], new Long[n], new String[n], new UUID[n],
        new UUID[n], new UUID[n], new OffsetDateTime[n], new Long[n], new Boolean[n],
        new Boolean[n], new String[n], new String[n], new String[n], new String[n],
        new String[n], new String[n], new String[n], new String[n], new String[n],
        new String[n], new OffsetDateTime[n], new String[n], new String[n], new String[n],
        new String[n], new Boolean[n], new Integer[n]};
    for (int i = 0; i < n; i++) {
      FiledMessage f = filed.get(i);
      NewMessage m = items.get(i).message();
      JsonArray headers = Text.clean(m.headers());
      Object[] row = {
          f.id(), m.folder(), f.uid(), f.seq(),
          SqlArrays.textLiteral(List.copyOf(
              MessageFlags.normalize(m.flags() == null ? List.of() : m.flags()))),
          m.rawId(), m.deliveryId(), f.threadId(), f.receivedAt().atOffset(ZoneOffset.UTC),
          m.sizeBytes(), m.encrypted(), m.parseFailed(), Text.clean(m.recipient()),
          Text.clean(m.tag()), bare(m.messageIdHeader()), bare(m.inReplyTo()),
          SqlArrays.textLiteral(Text.clean(m.references() == null ? List.of()
              : m.references().stream().map(MessageFiling::bare).filter(r -> r != null).toList())),
          Text.clean(m.fromName()), Text.clean(m.fromAddress()),
          SqlArrays.textLiteral(Text.clean(m.to())), SqlArrays.textLiteral(Text.clean(m.cc())),
          Text.clean(m.subject()), m.sentAt() == null ? null : m.sentAt().atOffset(ZoneOffset.UTC),
          headers == null ? null : headers.encode(), Text.clean(m.text()), Text.clean(m.html()),
          Text.clean(m.preview()), !items.get(i).attachments().isEmpty(), f.threadPosition()};
      for (int k = 0; k < row.length; k++) {
        columns[k][i] = row[k];
      }
    }
    Tuple t = Tuple.of(mailboxId);
    for (Object[] column : columns) {
      t.addValue(column);
    }
    return t;
  }

  /** A msg-id without angle brackets (RFC 5322 §3.6.4), or null. */
  private static String bare(String id) {
    if (id == null) {
      return null;
    }
    String s = Text.clean(id.strip());
    if (s.startsWith("<") && s.endsWith(">")) {
      s = s.substring(1, s.length() - 1).strip();
    }
    return s.isEmpty() ? null : s;
  }
}
