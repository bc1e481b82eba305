package dev.postern.inbound.accept;

import dev.postern.db.Batcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The accept side of receiving: the {@code inbound_raw} rows of a message (a plaintext one, an
 * OpenPGP one, or both) and their {@code inbound_deliveries} rows (V005) commit together or not
 * at all, and concurrent messages share one statement and commit (group commit, as the send
 * path's {@code send/GroupCommit}: one WAL flush for many accepts).
 */
public final class InboundRepository {

  /**
   * An {@code inbound_raw} row. Exactly one of {@code mimeInline} / {@code blobKey}.
   *
   * @param source {@code mx}, {@code local} or {@code sent}
   * @param clearFacts for an encrypted raw, the header facts kept readable; else null
   */
  public record Raw(UUID id, String source, String remoteAddr, String helo, String envelopeFrom,
      boolean encrypted, JsonObject clearFacts, Buffer mimeInline, String blobKey, long size) {}

  private final Batcher<InboundInsert.Member, InboundAcceptor.Accepted> batcher;

  /** Every accept commits by itself, at once (tests, tools). */
  public InboundRepository(Pool pool) {
    this(null, pool, Batcher.Settings.alone());
  }

  /**
   * @param vertx for the batcher's gathering timer (may be null with a zero wait)
   * @param settings how concurrent accepts share a statement: the send path's group commit
   *     bounds ({@code postgres.group_commit}), rows counting raws and deliveries
   */
  public InboundRepository(Vertx vertx, Pool pool, Batcher.Settings settings) {
    this.batcher = new Batcher<>(vertx, settings, InboundInsert.Member::rows,
        InboundInsert.Member::bytes,
        members -> pool.preparedQuery(InboundInsert.SQL).execute(InboundInsert.tuple(members))
            .map(claims -> InboundInsert.results(members, claims)));
  }

  /** One raw and the mailboxes it is for (the recipients of one tier). */
  record RawFor(Raw raw, List<ResolvedRecipient> targets) {}

  /**
   * Inserts each raw and a delivery per target mailbox that does not already hold the message
   * under {@code dedupeKey} from the last 24 hours; a raw none of whose mailboxes needs it is not
   * inserted. When no mailbox needs the message, inserts nothing and answers the earlier raw's
   * id with no deliveries. All rows or none, in one statement and commit shared with the
   * accepts committing at the same time ({@link InboundInsert}); completes only after that
   * commit. A statement error fails only the message that caused it (the batch is retried one
   * by one, {@link Batcher}).
   */
  Future<InboundAcceptor.Accepted> commit(List<RawFor> raws, Optional<String> dedupeKey) {
    return batcher.submit(InboundInsert.Member.of(raws, dedupeKey.orElse(null)));
  }
}
