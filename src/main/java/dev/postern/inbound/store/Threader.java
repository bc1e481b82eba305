package dev.postern.inbound.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Conversation threading within one mailbox, the JWZ approach as RFC 5256 §2.2 (REFERENCES)
 * describes it, kept incrementally in {@code mail_thread_refs}: every Message-ID a thread knows —
 * its messages' own and every id they reference — maps to the thread.
 * <ul>
 *   <li>A message joins the thread of any id among its own Message-ID, References and
 *       In-Reply-To that is known, so a reply finds its conversation whichever ancestor it
 *       names, and a parent that arrives after its children (whose References named it) joins
 *       them.</li>
 *   <li>A message whose ids are known to several threads links them: they are merged into the
 *       largest (rows moved, the others deleted).</li>
 *   <li>Its own id and all its references are then recorded for the thread.</li>
 *   <li>No subject threading: RFC 5256's ORDEREDSUBJECT fallback and JWZ's subject grouping
 *       join unrelated mail that shares a subject ("Hello", "Your invoice", a bot's fixed
 *       subject), which is the common case for the automated senders our users receive from.
 *       A message with no known id starts a thread of its own.</li>
 * </ul>
 * The caller holds the mailbox's row lock ({@link MailStore}), so threading decisions in a
 * mailbox are serialised; thread rows are touched only under it. A group of messages filed in
 * one transaction is threaded in order in memory ({@link GroupThreads}), so a reply finds a
 * parent filed earlier in the same group. Positions are 1-based by
 * {@code received_at} (then id) within the thread; the subject is the base subject
 * (RFC 5256 §2.1, simplified: leading {@code Re:}/{@code Fwd:}/{@code Fw:} and {@code [tags]},
 * a trailing {@code (fwd)}) of the earliest message that has one.
 */
final class Threader {

  /** A thread some of the message's ids are known to. */
  record Known(UUID id, int messageCount, String subject, Instant firstAt) {}

  /**
   * Where the message goes.
   *
   * @param created a new thread row is inserted
   * @param absorbed threads merged into {@code threadId}
   */
  record Decision(UUID threadId, boolean created, List<UUID> absorbed, int messageCount,
      String subject) {}

  /**
   * A thread the ids are known to, with its messages' earliest arrival, how many there are and
   * the last position given (they differ after an expunge: the thread is then renumbered).
   */
  record Existing(Known known, long present, int lastPosition) {}

  private static final String REFS = """
      SELECT message_ref, thread_id FROM mail_thread_refs WHERE mailbox_id = $1 AND message_ref = ANY($2)""";

  private static final String THREADS = """
      SELECT t.id, t.message_count, t.subject, s.first_at, s.present, s.last_position
        FROM mail_threads t,
             LATERAL (SELECT min(m.received_at) AS first_at, count(*) AS present,
                             coalesce(max(m.thread_position), 0) AS last_position
                        FROM mail_messages m WHERE m.thread_id = t.id) s
       WHERE t.id IN (SELECT r.thread_id FROM mail_thread_refs r
                       WHERE r.mailbox_id = $1 AND r.message_ref = ANY($2))""";

  /** A message placed: where it goes, and its received_at. */
  record Placed(Decision decision, Instant receivedAt) {}

  /** The threads a group starts, one statement. */
  private static final String CREATE = """
      INSERT INTO mail_threads (id, mailbox_id, subject, message_count, last_message_at)
      SELECT id, $1, subject, 1, at FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS t(id, subject, at)""";

  private static final String GROW = """
      UPDATE mail_threads SET message_count = $2, subject = $3,
             last_message_at = greatest($4, (SELECT max(last_message_at) FROM mail_threads
                                              WHERE id = ANY($5)))
       WHERE id = $1""";

  private static final String MOVE_REFS =
      "UPDATE mail_thread_refs SET thread_id = $1 WHERE mailbox_id = $2 AND thread_id = ANY($3)";
  private static final String MOVE_MESSAGES =
      "UPDATE mail_messages SET thread_id = $1 WHERE mailbox_id = $2 AND thread_id = ANY($3)";
  private static final String DROP = "DELETE FROM mail_threads WHERE id = ANY($1)";

  /**
   * A group's ids with the thread each ends in, one statement (the ids are distinct: one
   * statement may not update a row twice); a ref already pointing there is not rewritten.
   */
  private static final String RECORD_REFS = """
      INSERT INTO mail_thread_refs AS r (mailbox_id, message_ref, thread_id)
      SELECT $1, k, t FROM unnest($2::text[], $3::uuid[]) AS u(k, t)
      ON CONFLICT (mailbox_id, message_ref) DO UPDATE SET thread_id = EXCLUDED.thread_id
       WHERE r.thread_id IS DISTINCT FROM EXCLUDED.thread_id""";

  /** Renumbers the thread by arrival; answers the rows whose position changed. */
  private static final String NUMBER = """
      UPDATE mail_messages m SET thread_position = r.pos
        FROM (SELECT id, row_number() OVER (ORDER BY received_at, id)::int AS pos
                FROM mail_messages WHERE thread_id = $1) r
       WHERE m.id = r.id AND m.thread_position IS DISTINCT FROM r.pos
      RETURNING m.id, m.thread_position""";

  private static final Pattern LEADER = Pattern.compile(
      "^(?:\\s*(?:\\[[^\\]]*\\]\\s*)*(?i:re|fwd?|aw|sv|wg)\\s*(?:\\[\\d+\\])?\\s*:\\s*)+");
  private static final Pattern TAGS = Pattern.compile("^(?:\\s*\\[[^\\]]*\\])+\\s*");
  private static final Pattern TRAILER = Pattern.compile("(?i)\\s*\\(fwd\\)\\s*$");

  private Threader() {}

  /** Which thread each of the keys is known to (keys not known are absent). */
  static Future<Map<String, UUID>> refs(SqlClient client, UUID mailboxId, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return client.preparedQuery(REFS)
        .execute(Tuple.of(mailboxId).addValue(keys.toArray(String[]::new)))
        .map(rows -> {
          Map<String, UUID> refs = new HashMap<>();
          rows.forEach(row -> refs.put(row.getString("message_ref"), row.getUUID("thread_id")));
          return refs;
        });
  }

  /** The threads any of the keys is known to. */
  static Future<List<Existing>> threads(SqlClient client, UUID mailboxId, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return client.preparedQuery(THREADS)
        .execute(Tuple.of(mailboxId).addValue(keys.toArray(String[]::new)))
        .map(rows -> {
          List<Existing> threads = new ArrayList<>();
          for (Row row : rows) {
            OffsetDateTime first = row.getOffsetDateTime("first_at");
            threads.add(new Existing(new Known(row.getUUID("id"), row.getInteger("message_count"),
                row.getString("subject"), first == null ? null : first.toInstant()),
                row.getLong("present"), row.getInteger("last_position")));
          }
          return threads;
        });
  }

  /** Join the largest known thread, absorbing the others; or start one. */
  static Decision decide(List<Known> known, String subject, Instant receivedAt) {
    String base = baseSubject(subject);
    if (known.isEmpty()) {
      // Random, unlike the time-ordered keys of the outbound tables: with time-ordered thread
      // ids, concurrent filing groups all insert at the right edge of mail_threads' key and the
      // thread_id indexes, and mx-accept measured PostgreSQL at 0.40-0.41 ms per message instead
      // of 0.33 (two runs each, session 16).
      return new Decision(UUID.randomUUID(), true, List.of(), 1, base);
    }
    Known target = known.stream()
        .max(Comparator.comparingInt(Known::messageCount).thenComparing(Known::id)).orElseThrow();
    List<UUID> absorbed = known.stream().map(Known::id).filter(id -> !id.equals(target.id())).toList();
    int count = known.stream().mapToInt(Known::messageCount).sum() + 1;
    // The earliest message's subject names the thread; a thread whose messages are all gone
    // (firstAt null) or whose subject is unknown (encrypted) does not compete.
    String threadSubject = base;
    Instant earliest = base.isEmpty() ? null : receivedAt;
    for (Known k : known) {
      if (k.firstAt() != null && !k.subject().isEmpty()
          && (earliest == null || k.firstAt().isBefore(earliest))) {
        earliest = k.firstAt();
        threadSubject = k.subject();
      }
    }
    return new Decision(target.id(), false, absorbed, count, threadSubject);
  }

  /**
   * The thread rows' writes for a group's placements, before its messages are inserted: the
   * threads it starts in one statement first (a later message of the group may grow, or a merge
   * drop, one of them), then each growth and merge in placement order.
   */
  static List<Future<?>> apply(SqlClient client, UUID mailboxId, List<Placed> placed) {
    List<Future<?>> steps = new ArrayList<>();
    List<Placed> created = placed.stream().filter(p -> p.decision().created()).toList();
    if (!created.isEmpty()) {
      steps.add(client.preparedQuery(CREATE).execute(Tuple.of(mailboxId)
          .addValue(created.stream().map(p -> p.decision().threadId()).toArray(UUID[]::new))
          .addValue(created.stream().map(p -> p.decision().subject()).toArray(String[]::new))
          .addValue(created.stream().map(p -> p.receivedAt().atOffset(ZoneOffset.UTC))
              .toArray(OffsetDateTime[]::new))));
    }
    for (Placed p : placed) {
      Decision d = p.decision();
      if (d.created()) {
        continue;
      }
      List<UUID> all = new ArrayList<>(d.absorbed());
      all.add(d.threadId());
      steps.add(client.preparedQuery(GROW).execute(Tuple.of(d.threadId(), d.messageCount(),
          d.subject(), p.receivedAt().atOffset(ZoneOffset.UTC)).addValue(all.toArray(UUID[]::new))));
      if (!d.absorbed().isEmpty()) {
        UUID[] absorbed = d.absorbed().toArray(UUID[]::new);
        steps.add(client.preparedQuery(MOVE_REFS).execute(Tuple.of(d.threadId(), mailboxId).addValue(absorbed)));
        steps.add(client.preparedQuery(MOVE_MESSAGES).execute(Tuple.of(d.threadId(), mailboxId).addValue(absorbed)));
        steps.add(client.preparedQuery(DROP).execute(Tuple.tuple().addValue(absorbed)));
      }
    }
    return steps;
  }

  /** Records each id's thread (after the thread rows are written). */
  static Future<?> recordRefs(SqlClient client, UUID mailboxId, Map<String, UUID> threads) {
    if (threads.isEmpty()) {
      return Future.succeededFuture();
    }
    return client.preparedQuery(RECORD_REFS).execute(Tuple.of(mailboxId)
        .addValue(threads.keySet().toArray(String[]::new))
        .addValue(threads.values().toArray(UUID[]::new)));
  }

  /**
   * After the message rows are in: numbers the thread by arrival (needed only after a merge or
   * an expunge; a new message, the latest of its mailbox, is inserted at its position).
   *
   * @return the rows whose position changed, with their new position
   */
  static Future<Map<UUID, Integer>> renumber(SqlClient client, UUID threadId) {
    return client.preparedQuery(NUMBER).execute(Tuple.of(threadId)).map(rows -> {
      Map<UUID, Integer> changed = new HashMap<>();
      rows.forEach(row -> changed.put(row.getUUID("id"), row.getInteger("thread_position")));
      return changed;
    });
  }

  /** RFC 5256 §2.1 base subject, simplified (see the class comment). */
  static String baseSubject(String subject) {
    if (subject == null) {
      return "";
    }
    String s = subject.strip();
    String previous;
    do {
      previous = s;
      s = TRAILER.matcher(s).replaceFirst("");
      s = LEADER.matcher(s).replaceFirst("");
      s = s.strip();
    } while (!s.equals(previous));
    String untagged = TAGS.matcher(s).replaceFirst("");
    return untagged.isEmpty() ? s : untagged;
  }
}
