package dev.postern.send;

import dev.postern.config.PosternConfig;
import dev.postern.db.Batcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Group commit of accepted mail (issue #11): concurrent accepts, from any event loop, coalesce
 * into one {@link OutboundInsert} statement and so ONE commit instead of one WAL flush each. When
 * a batch goes, and how a refused batch finds its guilty member, is {@link Batcher}'s contract.
 *
 * <p>A member is the messages of one submission: they commit together or not at all (a batch
 * send keeps its all-or-nothing meaning). Each member's future completes only after its batch
 * committed.
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
   * octets became, committed in the same transaction as that message. Its absence was checked
   * just before; a concurrent twin that slipped past the check is not inserted again.
   */
  record Remembered(java.util.UUID apiKeyId, String key, byte[] sha256, java.util.UUID messageId) {}

  private record Member(List<OutboundMessage> messages, Remembered remembered) {}

  private static final String REMEMBER = """
      INSERT INTO idempotency_records (api_key_id, idempotency_key, request_sha256, message_ids,
        expires_at)
      SELECT k, i, s, ARRAY[m], now() + interval '24 hours'
        FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::uuid[]) AS r(k, i, s, m)
      ON CONFLICT (api_key_id, idempotency_key) DO UPDATE SET
        request_sha256 = EXCLUDED.request_sha256, message_ids = EXCLUDED.message_ids,
        created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_records.expires_at < now()""";

  private final Batcher<Member, Void> batcher;

  GroupCommit(Vertx vertx, Pool pool, OutboundInsert insert, Settings settings) {
    this.batcher = new Batcher<>(vertx,
        new Batcher.Settings(settings.maxMessages(), settings.maxBytes(), settings.maxWait(),
            settings.maxInFlight()),
        member -> member.messages().size(),
        member -> member.messages().stream().mapToLong(OutboundInsert::bytes).sum(),
        members -> {
          List<OutboundMessage> all = new ArrayList<>();
          List<Remembered> remembered = new ArrayList<>();
          members.forEach(m -> {
            all.addAll(m.messages());
            if (m.remembered() != null) {
              remembered.add(m.remembered());
            }
          });
          List<Void> done = Collections.nCopies(members.size(), null);
          if (remembered.isEmpty()) {
            // One statement in autocommit: atomic, one round trip, one commit.
            return pool.preparedQuery(insert.sql()).execute(insert.tuple(all)).map(rows -> done);
          }
          // Still one commit: the messages and the resend records of the batch together.
          return pool.withTransaction(tx -> tx.preparedQuery(insert.sql()).execute(insert.tuple(all))
              .compose(rows -> tx.preparedQuery(REMEMBER).execute(Tuple.tuple()
                  .addValue(remembered.stream().map(Remembered::apiKeyId).toArray(java.util.UUID[]::new))
                  .addValue(remembered.stream().map(Remembered::key).toArray(String[]::new))
                  .addValue(remembered.stream().map(r -> Buffer.buffer(r.sha256())).toArray(Buffer[]::new))
                  .addValue(remembered.stream().map(Remembered::messageId).toArray(java.util.UUID[]::new))))
              .map(rows -> done));
        });
  }

  /** Commits the messages together, in a batch with whatever else is being committed now. */
  public Future<Void> commit(List<OutboundMessage> messages) {
    return batcher.submit(new Member(messages, null));
  }

  /** Commits one message and its resend record, in a batch like {@link #commit}. */
  Future<Void> commitRemembered(OutboundMessage message, Remembered remembered) {
    return batcher.submit(new Member(List.of(message), remembered));
  }
}
