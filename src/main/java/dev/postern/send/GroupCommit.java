package dev.postern.send;

import dev.postern.config.PosternConfig;
import dev.postern.db.Batcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Group commit of accepted mail (issue #11): concurrent accepts, from any event loop, coalesce
 * into one {@link OutboundInsert} statement and so ONE commit instead of one WAL flush each. When
 * a batch goes, and how a refused batch finds its guilty member, is {@link Batcher}'s contract.
 *
 * <p>A member is the messages of one submission: they commit together or not at all (a batch
 * send keeps its all-or-nothing meaning). Each member's future completes only after its batch
 * committed.
 *
 * <p>Resend records (SMTP) ride in the same statement, as a plain insert, while every key in the
 * batch is new; a taken key (the insert's unique violation aborts the statement before anything
 * is committed) or twins in one batch send the batch through a transaction that decides, member
 * by member, who commits and who replays. Still one commit either way.
 */
public final class GroupCommit {

  /** Mirrors {@link PosternConfig.GroupCommit}; {@code maxMessages} counts messages, not members. */
  public record Settings(int maxMessages, long maxBytes, Duration maxWait, int maxInFlight) {
    public static Settings of(PosternConfig.GroupCommit c) {
      return new Settings(c.maxMessages(), c.maxBytes(), c.maxWait(), c.maxInFlight());
    }

    /** No coalescing: every member commits by itself, at once (readers, tests). */
    public static Settings alone() {
      return new Settings(1, 1, Duration.ZERO, Integer.MAX_VALUE);
    }
  }

  /**
   * A resend record (SMTP, issue #12): remembers for 24 h which message a key's Message-ID and
   * octets became, committed in the same transaction as that message — or, if a live record for
   * the key exists (committed earlier, by a concurrent batch, or by a twin earlier in this batch),
   * the message is not committed and the member is answered with that record.
   */
  record Remembered(UUID apiKeyId, String key, byte[] sha256, UUID messageId) {}

  private record Member(List<OutboundMessage> messages, Remembered remembered) {}

  private record KeyOf(UUID apiKeyId, String key) {
    static KeyOf of(Remembered r) {
      return new KeyOf(r.apiKeyId(), r.key());
    }
  }

  /**
   * Inserts (or revives, if expired) the records; returns the keys it wrote. Its four array
   * parameters are numbered by the caller: alone, or as a CTE of the messages' statement.
   */
  private static final String REMEMBER = """
      INSERT INTO idempotency_records (api_key_id, idempotency_key, request_sha256, message_ids,
        expires_at)
      SELECT k, i, s, ARRAY[m], now() + interval '24 hours'
        FROM unnest($%d::uuid[], $%d::text[], $%d::bytea[], $%d::uuid[]) AS r(k, i, s, m)
      ON CONFLICT (api_key_id, idempotency_key) DO UPDATE SET
        request_sha256 = EXCLUDED.request_sha256, message_ids = EXCLUDED.message_ids,
        created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_records.expires_at < now()
      RETURNING api_key_id, idempotency_key""";

  /** The live records that kept a batch's keys from being written. */
  private static final String EARLIER = """
      SELECT api_key_id, idempotency_key, request_sha256, message_ids FROM idempotency_records
       WHERE (api_key_id, idempotency_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))""";

  /**
   * The records of a batch whose keys are all new, as they ride in its messages' statement: a
   * plain insert, without {@code ON CONFLICT}. A taken key, even one whose record expired and
   * was not swept yet, fails the statement with a unique violation ({@link #UNIQUE_VIOLATION});
   * then {@link #inTransaction} sorts it out. {@code ON CONFLICT} here would make PostgreSQL
   * look each key up before inserting it (a second index descent per record: 9.6 % of its CPU
   * under smtp-accept, session 15) for a conflict that almost never comes.
   */
  private static final String REMEMBER_NEW = """
      INSERT INTO idempotency_records (api_key_id, idempotency_key, request_sha256, message_ids,
        expires_at)
      SELECT k, i, s, ARRAY[m], now() + interval '24 hours'
        FROM unnest($%d::uuid[], $%d::text[], $%d::bytea[], $%d::uuid[]) AS r(k, i, s, m)""";

  /** PostgreSQL's {@code unique_violation}. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final OutboundInsert insert;
  /** The messages' statement with the records of new keys, without and with local filings. */
  private final String rememberingSql;
  private final String rememberingLocalSql;
  private final Batcher<Member, Optional<OutboundRepository.IdempotencyRecord>> batcher;

  GroupCommit(Vertx vertx, Pool pool, OutboundInsert insert, Settings settings) {
    this.pool = pool;
    this.insert = insert;
    this.rememberingSql = remembering(insert, false);
    this.rememberingLocalSql = remembering(insert, true);
    this.batcher = new Batcher<>(vertx,
        new Batcher.Settings(settings.maxMessages(), settings.maxBytes(), settings.maxWait(),
            settings.maxInFlight()),
        member -> member.messages().size(),
        member -> member.messages().stream().mapToLong(OutboundInsert::bytes).sum(),
        this::commitBatch);
  }

  private static String remembering(OutboundInsert insert, boolean local) {
    int p = OutboundInsert.parameters(local);
    return insert.withCte(local, "rem AS (" + REMEMBER_NEW.formatted(p + 1, p + 2, p + 3, p + 4) + "),",
        "1");
  }

  private Future<List<Optional<OutboundRepository.IdempotencyRecord>>> commitBatch(List<Member> members) {
    List<OutboundMessage> all = new ArrayList<>();
    members.forEach(m -> all.addAll(m.messages()));
    List<Optional<OutboundRepository.IdempotencyRecord>> allFresh =
        Collections.nCopies(members.size(), Optional.empty());
    if (members.stream().allMatch(m -> m.remembered() == null)) {
      // One statement in autocommit: atomic, one round trip, one commit.
      return insert.execute(pool, all).map(rows -> allFresh);
    }
    // The first member of each key writes its record; a twin later in the batch is its replay.
    Map<KeyOf, Remembered> firsts = new LinkedHashMap<>();
    int remembering = 0;
    for (Member m : members) {
      if (m.remembered() != null) {
        remembering++;
        firsts.putIfAbsent(KeyOf.of(m.remembered()), m.remembered());
      }
    }
    if (firsts.size() < remembering) {
      return inTransaction(members, firsts);
    }
    // The common case, every key new: the records ride in the messages' statement (one round
    // trip, as without them). A key already taken fails it before anything is committed; then
    // the transaction sorts out who replays what.
    boolean local = OutboundInsert.filesLocally(all);
    Tuple tuple = rememberArrays(insert.tuple(all, local), firsts.values());
    return pool.preparedQuery(local ? rememberingLocalSql : rememberingSql).execute(tuple)
        .map(rows -> allFresh)
        .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? inTransaction(members, firsts) : Future.failedFuture(e));
  }

  private static Tuple rememberArrays(Tuple tuple, Collection<Remembered> records) {
    return tuple
        .addValue(records.stream().map(Remembered::apiKeyId).toArray(UUID[]::new))
        .addValue(records.stream().map(Remembered::key).toArray(String[]::new))
        .addValue(records.stream().map(r -> Buffer.buffer(r.sha256())).toArray(Buffer[]::new))
        .addValue(records.stream().map(Remembered::messageId).toArray(UUID[]::new));
  }

  /** Resend records first, then the messages of the members that replay nothing: one commit. */
  private Future<List<Optional<OutboundRepository.IdempotencyRecord>>> inTransaction(
      List<Member> members, Map<KeyOf, Remembered> firsts) {
    // Still one commit: the resend records and the messages of the batch together, the check for
    // an earlier record inside the insert of the new one (no lookup per message before).
    return pool.withTransaction(tx -> tx.preparedQuery(REMEMBER.formatted(1, 2, 3, 4))
        .execute(rememberArrays(Tuple.tuple(), firsts.values()))
        .compose(written -> {
          Set<KeyOf> fresh = new HashSet<>();
          written.forEach(row -> fresh.add(new KeyOf(row.getUUID(0), row.getString(1))));
          List<KeyOf> taken = firsts.keySet().stream().filter(k -> !fresh.contains(k)).toList();
          Future<Map<KeyOf, OutboundRepository.IdempotencyRecord>> earlier = taken.isEmpty()
              ? Future.succeededFuture(Map.of())
              : tx.preparedQuery(EARLIER).execute(Tuple.tuple()
                      .addValue(taken.stream().map(KeyOf::apiKeyId).toArray(UUID[]::new))
                      .addValue(taken.stream().map(KeyOf::key).toArray(String[]::new)))
                  .map(rows -> {
                    Map<KeyOf, OutboundRepository.IdempotencyRecord> found = new HashMap<>();
                    rows.forEach(row -> found.put(new KeyOf(row.getUUID(0), row.getString(1)),
                        new OutboundRepository.IdempotencyRecord(row.getBuffer(2).getBytes(),
                            List.of(row.getArrayOfUUIDs(3)))));
                    return found;
                  });
          return earlier.compose(found -> {
            List<Optional<OutboundRepository.IdempotencyRecord>> answers = new ArrayList<>();
            List<OutboundMessage> all = new ArrayList<>();
            for (Member m : members) {
              Optional<OutboundRepository.IdempotencyRecord> replay = replayOf(m, firsts, fresh, found);
              answers.add(replay);
              if (replay.isEmpty()) {
                all.addAll(m.messages());
              }
            }
            return all.isEmpty() ? Future.succeededFuture(answers)
                : insert.execute(tx, all).map(rows -> answers);
          });
        }));
  }

  /** Empty when the member's messages commit; else the record it replays. */
  private static Optional<OutboundRepository.IdempotencyRecord> replayOf(Member m,
      Map<KeyOf, Remembered> firsts, Set<KeyOf> fresh, Map<KeyOf, OutboundRepository.IdempotencyRecord> found) {
    if (m.remembered() == null) {
      return Optional.empty();
    }
    KeyOf key = KeyOf.of(m.remembered());
    if (!fresh.contains(key)) {
      OutboundRepository.IdempotencyRecord earlier = found.get(key);
      if (earlier == null) {
        // Written by no one and found nowhere: only a sweep racing an expiry could do this.
        throw new IllegalStateException("resend record " + key.key() + " neither written nor found");
      }
      return Optional.of(earlier);
    }
    Remembered first = firsts.get(key);
    return first == m.remembered() ? Optional.empty()
        : Optional.of(new OutboundRepository.IdempotencyRecord(first.sha256(), List.of(first.messageId())));
  }

  /** Commits the messages together, in a batch with whatever else is being committed now. */
  public Future<Void> commit(List<OutboundMessage> messages) {
    return batcher.submit(new Member(messages, null)).mapEmpty();
  }

  /**
   * Commits one message and its resend record, in a batch like {@link #commit} — unless a live
   * record for the key exists: then nothing is committed and that record is returned.
   */
  Future<Optional<OutboundRepository.IdempotencyRecord>> commitRemembered(OutboundMessage message,
      Remembered remembered) {
    return batcher.submit(new Member(List.of(message), remembered));
  }
}
