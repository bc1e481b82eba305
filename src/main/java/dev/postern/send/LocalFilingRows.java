package dev.postern.send;

import io.vertx.core.json.JsonObject;
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

  UUID[] rawIds() {
    return rawIds.toArray(UUID[]::new);
  }

  String[] rawSources() {
    return rawSources.toArray(String[]::new);
  }

  String[] rawSenders() {
    return rawSenders.toArray(String[]::new);
  }

  Boolean[] rawEncrypted() {
    return rawEncrypted.toArray(Boolean[]::new);
  }

  String[] rawFacts() {
    return rawFacts.toArray(String[]::new);
  }

  UUID[] rawMessages() {
    return rawMessages.toArray(UUID[]::new);
  }

  Long[] rawSizes() {
    return rawSizes.toArray(Long[]::new);
  }

  UUID[] ids() {
    return ids.toArray(UUID[]::new);
  }

  UUID[] raws() {
    return raws.toArray(UUID[]::new);
  }

  UUID[] mailboxes() {
    return mailboxes.toArray(UUID[]::new);
  }

  String[] recipients() {
    return recipients.toArray(String[]::new);
  }

  String[] tags() {
    return tags.toArray(String[]::new);
  }

  String[] folders() {
    return folders.toArray(String[]::new);
  }
}
