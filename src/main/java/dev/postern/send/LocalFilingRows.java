package dev.postern.send;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code inbound_raw} and {@code inbound_deliveries} columns of a batch's local filings
 * ({@link LocalPlan}), as the arrays {@link OutboundInsert} unnests. Per message, one raw per
 * (source, tier): {@code local} or {@code sent}, plaintext or encrypted (an encrypted raw carries
 * the clear facts the pipeline files from); every raw points at the outbound message, whose MIME
 * the filing pipeline reads (the store is not written twice).
 */
final class LocalFilingRows {

  private final List<UUID> rawIds = new ArrayList<>();
  private final List<String> rawSources = new ArrayList<>();
  private final List<String> rawSenders = new ArrayList<>();
  private final List<Boolean> rawEncrypted = new ArrayList<>();
  private final List<String> rawFacts = new ArrayList<>();
  private final List<UUID> rawMessages = new ArrayList<>();
  private final List<Long> rawSizes = new ArrayList<>();
  private final List<UUID> ids = new ArrayList<>();
  private final List<UUID> raws = new ArrayList<>();
  private final List<UUID> mailboxes = new ArrayList<>();
  private final List<String> recipients = new ArrayList<>();
  private final List<String> tags = new ArrayList<>();
  private final List<String> folders = new ArrayList<>();

  /** Adds the rows of one message's filings (none for most messages). */
  void add(OutboundMessage m) {
    add(m.id(), m.envelopeFrom(), m.mimeSize(), m.local().filings(), m.local().clearFacts());
  }

  /**
   * Adds the rows of filings of the outbound message {@code outboundId}.
   *
   * @param clearFacts the facts encrypted filings are filed from, or null when none is encrypted
   */
  void add(UUID outboundId, String envelopeFrom, long mimeSize, List<LocalPlan.Filing> filings,
      JsonObject clearFacts) {
    if (filings.isEmpty()) {
      return;
    }
    // At most four raws: {local, sent} x {plaintext, encrypted}.
    UUID[] rawOf = new UUID[4];
    for (LocalPlan.Filing f : filings) {
      int slot = (f.source().equals("sent") ? 2 : 0) + (f.encrypted() ? 1 : 0);
      if (rawOf[slot] == null) {
        rawOf[slot] = UUID.randomUUID();
        rawIds.add(rawOf[slot]);
        rawSources.add(f.source());
        rawSenders.add(envelopeFrom);
        rawEncrypted.add(f.encrypted());
        rawFacts.add(f.encrypted() && clearFacts != null ? clearFacts.encode() : null);
        rawMessages.add(outboundId);
        rawSizes.add(mimeSize);
      }
      ids.add(UUID.randomUUID());
      raws.add(rawOf[slot]);
      mailboxes.add(f.mailboxId());
      recipients.add(f.recipient());
      tags.add(f.tag());
      folders.add(f.folder());
    }
  }

  /**
   * The two data-modifying CTEs ({@code raw}, {@code dl}) that insert these rows from the 13
   * arrays {@link #addTo} appends, numbered from {@code $first}.
   */
  static String ctes(int first) {
    return """
        raw AS (
          INSERT INTO inbound_raw (id, source, envelope_from, encrypted, clear_facts, outbound_id,
            mime_size)
          SELECT id, source, envelope_from, encrypted, clear_facts::jsonb, outbound_id, mime_size
            FROM unnest($%d::uuid[], $%d::text[], $%d::text[], $%d::bool[], $%d::text[],
                        $%d::uuid[], $%d::bigint[])
                 AS t(id, source, envelope_from, encrypted, clear_facts, outbound_id, mime_size)),
        dl AS (
          INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient, tag, folder)
          SELECT * FROM unnest($%d::uuid[], $%d::uuid[], $%d::uuid[], $%d::text[], $%d::text[],
                               $%d::text[]))""".formatted(java.util.stream.IntStream
        .range(first, first + 13).boxed().toArray());
  }

  /** Appends the 13 arrays {@link #ctes} unnests, in its order. */
  Tuple addTo(Tuple tuple) {
    // addValue: Tuple.of would spread an array (varargs) into many parameters.
    return tuple.addValue(rawIds.toArray(UUID[]::new)).addValue(rawSources.toArray(String[]::new))
        .addValue(rawSenders.toArray(String[]::new)).addValue(rawEncrypted.toArray(Boolean[]::new))
        .addValue(rawFacts.toArray(String[]::new)).addValue(rawMessages.toArray(UUID[]::new))
        .addValue(rawSizes.toArray(Long[]::new))
        .addValue(ids.toArray(UUID[]::new)).addValue(raws.toArray(UUID[]::new))
        .addValue(mailboxes.toArray(UUID[]::new)).addValue(recipients.toArray(String[]::new))
        .addValue(tags.toArray(String[]::new)).addValue(folders.toArray(String[]::new));
  }
}
