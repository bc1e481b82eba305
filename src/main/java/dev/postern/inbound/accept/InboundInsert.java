package dev.postern.inbound.accept;

import dev.postern.db.TimeOrderedIds;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one statement that commits any number of accepted MX messages (issue #13, bench
 * mx-accept): their {@code inbound_raw} rows and {@code inbound_deliveries} rows, each table
 * written by one {@code INSERT … SELECT FROM unnest} (every column travels as one array), and
 * the retry memory ({@code inbound_dedupe}, V007) that decides which deliveries are new. One
 * statement in autocommit is atomic: every row of the batch commits, in one WAL flush, or none.
 *
 * <p>Retries after a lost 250 (RFC 5321 §6.1): each delivery with a dedupe key claims
 * {@code (mailbox_id, dedupe_key)} by {@code INSERT … ON CONFLICT DO UPDATE}. The row returned
 * names the raw that owns the claim: this delivery's own raw when the key was new or its last
 * claim is over 24 hours old (taken over), else the earlier raw — and then the delivery is not
 * inserted. A raw none of whose deliveries is new is not inserted. A twin committing at the
 * same time waits for the other's row and then sees it (ON CONFLICT arbitration is not bound to
 * the statement's snapshot); two members of one batch claiming the same key make PostgreSQL
 * refuse the batch ("cannot affect row a second time"), and {@link dev.postern.db.Batcher}'s
 * one-by-one retry then serialises them. A delivery without a key (no Message-ID) is always new.
 */
final class InboundInsert {

  static final String SQL = """
      WITH d AS (
        SELECT * FROM unnest($11::uuid[], $12::uuid[], $13::uuid[], $14::text[], $15::text[],
                             $16::text[])
               AS d(id, raw_id, mailbox_id, recipient, tag, dedupe_key)),
      seen AS (
        INSERT INTO inbound_dedupe AS s (mailbox_id, dedupe_key, raw_id)
        SELECT mailbox_id, dedupe_key, raw_id FROM d WHERE dedupe_key IS NOT NULL
        ON CONFLICT (mailbox_id, dedupe_key) DO UPDATE SET
          raw_id = CASE WHEN s.created_at > now() - interval '24 hours' THEN s.raw_id
                        ELSE EXCLUDED.raw_id END,
          created_at = CASE WHEN s.created_at > now() - interval '24 hours' THEN s.created_at
                            ELSE now() END
        RETURNING mailbox_id, dedupe_key, raw_id),
      fresh AS (
        SELECT d.* FROM d
         WHERE d.dedupe_key IS NULL
            OR EXISTS (SELECT 1 FROM seen WHERE seen.mailbox_id = d.mailbox_id
                         AND seen.dedupe_key = d.dedupe_key AND seen.raw_id = d.raw_id)),
      raw AS (
        INSERT INTO inbound_raw (id, source, remote_addr, helo, envelope_from, encrypted,
          clear_facts, mime_inline, blob_key, mime_size)
        SELECT id, source, remote_addr, helo, envelope_from, encrypted, clear_facts::jsonb,
               mime_inline, blob_key, mime_size
          FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[],
                      $7::text[], $8::bytea[], $9::text[], $10::bigint[])
               AS r(id, source, remote_addr, helo, envelope_from, encrypted, clear_facts,
                    mime_inline, blob_key, mime_size)
         WHERE r.id IN (SELECT raw_id FROM fresh)),
      dl AS (
        INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient, tag, dedupe_key)
        SELECT id, raw_id, mailbox_id, recipient, tag, dedupe_key FROM fresh)
      SELECT mailbox_id, dedupe_key, raw_id FROM seen""";

  /** One delivery to insert if new. */
  record Delivery(UUID id, UUID rawId, ResolvedRecipient target) {}

  /**
   * One accepted message: its raws with their targets, a delivery id ready for each target, and
   * its dedupe key (null without a Message-ID).
   */
  record Member(List<InboundRepository.RawFor> raws, List<List<Delivery>> deliveries,
      String dedupeKey) {

    static Member of(List<InboundRepository.RawFor> raws, String dedupeKey) {
      List<List<Delivery>> deliveries = new ArrayList<>();
      for (InboundRepository.RawFor rawFor : raws) {
        deliveries.add(rawFor.targets().stream()
            .map(t -> new Delivery(TimeOrderedIds.next(), rawFor.raw().id(), t)).toList());
      }
      return new Member(List.copyOf(raws), List.copyOf(deliveries), dedupeKey);
    }

    int rows() {
      return raws.size() + deliveries.stream().mapToInt(List::size).sum();
    }

    /** Roughly what the rows write: a batch's byte bound counts it. */
    long bytes() {
      long bytes = 0;
      for (InboundRepository.RawFor rawFor : raws) {
        Buffer inline = rawFor.raw().mimeInline();
        bytes += 512 + (inline == null ? 0 : inline.length()) + 256L * rawFor.targets().size();
      }
      return bytes;
    }
  }

  private InboundInsert() {}

  static Tuple tuple(List<Member> members) {
    List<UUID> rawIds = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    List<String> remoteAddrs = new ArrayList<>();
    List<String> helos = new ArrayList<>();
    List<String> envelopeFroms = new ArrayList<>();
    List<Boolean> encrypted = new ArrayList<>();
    List<String> clearFacts = new ArrayList<>();
    List<Buffer> inline = new ArrayList<>();
    List<String> blobKeys = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    List<UUID> deliveryRaws = new ArrayList<>();
    List<UUID> mailboxes = new ArrayList<>();
    List<String> recipients = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Member member : members) {
      for (InboundRepository.RawFor rawFor : member.raws()) {
        InboundRepository.Raw raw = rawFor.raw();
        rawIds.add(raw.id());
        sources.add(raw.source());
        remoteAddrs.add(raw.remoteAddr());
        helos.add(raw.helo());
        envelopeFroms.add(raw.envelopeFrom());
        encrypted.add(raw.encrypted());
        clearFacts.add(raw.clearFacts() == null ? null : raw.clearFacts().encode());
        inline.add(raw.mimeInline());
        blobKeys.add(raw.blobKey());
        sizes.add(raw.size());
      }
      for (List<Delivery> ofRaw : member.deliveries()) {
        for (Delivery delivery : ofRaw) {
          ids.add(delivery.id());
          deliveryRaws.add(delivery.rawId());
          mailboxes.add(delivery.target().mailboxId());
          recipients.add(delivery.target().recipient());
          tags.add(delivery.target().tag());
          keys.add(member.dedupeKey());
        }
      }
    }
    // addValue: Tuple.of would spread an array (varargs) into many parameters.
    return Tuple.tuple().addValue(rawIds.toArray(UUID[]::new))
        .addValue(sources.toArray(String[]::new)).addValue(remoteAddrs.toArray(String[]::new))
        .addValue(helos.toArray(String[]::new)).addValue(envelopeFroms.toArray(String[]::new))
        .addValue(encrypted.toArray(Boolean[]::new)).addValue(clearFacts.toArray(String[]::new))
        .addValue(inline.toArray(Buffer[]::new)).addValue(blobKeys.toArray(String[]::new))
        .addValue(sizes.toArray(Long[]::new))
        .addValue(ids.toArray(UUID[]::new)).addValue(deliveryRaws.toArray(UUID[]::new))
        .addValue(mailboxes.toArray(UUID[]::new)).addValue(recipients.toArray(String[]::new))
        .addValue(tags.toArray(String[]::new)).addValue(keys.toArray(String[]::new));
  }

  /** What each member committed, in order, from the claims the statement returned. */
  static List<InboundAcceptor.Accepted> results(List<Member> members, RowSet<Row> claims) {
    Map<String, UUID> owner = new HashMap<>();
    for (Row row : claims) {
      owner.put(claim(row.getUUID("mailbox_id"), row.getString("dedupe_key")),
          row.getUUID("raw_id"));
    }
    List<InboundAcceptor.Accepted> results = new ArrayList<>(members.size());
    for (Member member : members) {
      results.add(result(member, owner));
    }
    return results;
  }

  private static InboundAcceptor.Accepted result(Member member, Map<String, UUID> owner) {
    List<UUID> rawIds = new ArrayList<>();
    List<UUID> created = new ArrayList<>();
    UUID earlier = null;
    for (List<Delivery> ofRaw : member.deliveries()) {
      boolean rawUsed = false;
      for (Delivery delivery : ofRaw) {
        UUID claimedBy = member.dedupeKey() == null ? delivery.rawId()
            : owner.get(claim(delivery.target().mailboxId(), member.dedupeKey()));
        if (delivery.rawId().equals(claimedBy)) {
          created.add(delivery.id());
          rawUsed = true;
        } else if (earlier == null) {
          earlier = claimedBy;
        }
      }
      if (rawUsed) {
        rawIds.add(ofRaw.get(0).rawId());
      }
    }
    if (rawIds.isEmpty()) {
      return new InboundAcceptor.Accepted(earlier, List.of(), List.of());
    }
    return new InboundAcceptor.Accepted(rawIds.get(0), List.copyOf(rawIds), List.copyOf(created));
  }

  private static String claim(UUID mailboxId, String dedupeKey) {
    return mailboxId + " " + dedupeKey;
  }
}
