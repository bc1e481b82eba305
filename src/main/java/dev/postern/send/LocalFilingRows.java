package dev.postern.send;

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
    List<LocalPlan.Filing> filings = m.local().filings();
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
        rawSenders.add(m.envelopeFrom());
        rawEncrypted.add(f.encrypted());
        rawFacts.add(f.encrypted() && m.local().clearFacts() != null
            ? m.local().clearFacts().encode() : null);
        rawMessages.add(m.id());
        rawSizes.add(m.mimeSize());
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
