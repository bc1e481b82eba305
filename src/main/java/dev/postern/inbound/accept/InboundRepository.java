package dev.postern.inbound.accept;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL for the accept side of receiving: one transaction commits the {@code inbound_raw} rows of
 * a message (a plaintext one, an OpenPGP one, or both) and their {@code inbound_deliveries} rows
 * (V005), or nothing.
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

  private static final String INSERT_RAW = "INSERT INTO inbound_raw (id, source, remote_addr,"
      + " helo, envelope_from, encrypted, clear_facts, mime_inline, blob_key, mime_size)"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  private static final String INSERT_DELIVERY = "INSERT INTO inbound_deliveries (id, raw_id,"
      + " mailbox_id, recipient, tag, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6)";
  /** The mailboxes that already have this message from the last day (RFC 5321 §6.1 retries). */
  private static final String ALREADY = "SELECT DISTINCT ON (mailbox_id) mailbox_id, raw_id"
      + " FROM inbound_deliveries WHERE dedupe_key = $1 AND mailbox_id = ANY($2::uuid[])"
      + " AND created_at > now() - interval '24 hours' ORDER BY mailbox_id, created_at";

  private final Pool pool;

  public InboundRepository(Pool pool) {
    this.pool = pool;
  }

  /** One raw and the mailboxes it is for (the recipients of one tier). */
  record RawFor(Raw raw, List<ResolvedRecipient> targets) {}

  /**
   * Inserts each raw and a delivery per target mailbox that does not already hold the message
   * under {@code dedupeKey}; a raw none of whose mailboxes needs it is not inserted. When no
   * mailbox needs the message, inserts nothing and answers the earlier raw's id with no
   * deliveries. One transaction: all rows or none.
   */
  Future<InboundAcceptor.Accepted> commit(List<RawFor> raws, Optional<String> dedupeKey) {
    List<ResolvedRecipient> all = raws.stream().flatMap(r -> r.targets().stream()).toList();
    return pool.withTransaction(tx -> already(tx, all, dedupeKey).compose(held -> {
      List<Tuple> rawRows = new ArrayList<>();
      List<UUID> rawIds = new ArrayList<>();
      List<Tuple> rows = new ArrayList<>();
      List<UUID> ids = new ArrayList<>();
      for (RawFor rawFor : raws) {
        Raw raw = rawFor.raw();
        List<ResolvedRecipient> fresh = rawFor.targets().stream()
            .filter(t -> !held.containsKey(t.mailboxId())).toList();
        if (fresh.isEmpty()) {
          continue;
        }
        rawIds.add(raw.id());
        rawRows.add(Tuple.from(new Object[] {raw.id(), raw.source(), raw.remoteAddr(), raw.helo(),
            raw.envelopeFrom(), raw.encrypted(), raw.clearFacts(), raw.mimeInline(),
            raw.blobKey(), raw.size()}));
        for (ResolvedRecipient target : fresh) {
          UUID id = UUID.randomUUID();
          ids.add(id);
          rows.add(Tuple.of(id, raw.id(), target.mailboxId(), target.recipient(), target.tag(),
              dedupeKey.orElse(null)));
        }
      }
      if (rawIds.isEmpty()) {
        return Future.succeededFuture(new InboundAcceptor.Accepted(
            held.get(all.get(0).mailboxId()), List.of(), List.of()));
      }
      return tx.preparedQuery(INSERT_RAW).executeBatch(rawRows)
          .compose(v -> tx.preparedQuery(INSERT_DELIVERY).executeBatch(rows))
          .map(v -> new InboundAcceptor.Accepted(rawIds.get(0), List.copyOf(rawIds),
              List.copyOf(ids)));
    }));
  }

  /** Mailbox → earlier raw id, for the targets that already hold the message; locks the key. */
  private static Future<Map<UUID, UUID>> already(SqlConnection tx, List<ResolvedRecipient> targets,
      Optional<String> dedupeKey) {
    if (dedupeKey.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    UUID[] mailboxes = targets.stream().map(ResolvedRecipient::mailboxId).toArray(UUID[]::new);
    // Two retries of one message committing at once: the second waits here and sees the first.
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .execute(Tuple.of(dedupeKey.get()))
        .compose(v -> tx.preparedQuery(ALREADY)
            .execute(Tuple.tuple().addString(dedupeKey.get()).addArrayOfUUID(mailboxes)))
        .map(rows -> {
          Map<UUID, UUID> held = new HashMap<>();
          rows.forEach(row -> held.put(row.getUUID("mailbox_id"), row.getUUID("raw_id")));
          return held;
        });
  }
}
