package dev.postern.inbound.store;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * One row of a mailbox's change log ({@code mail_changes}), in change-sequence order: what the
 * live stream resumes from and what IMAP's QRESYNC / VANISHED will read (RFC 7162 §3.2).
 *
 * @param seq the mailbox's change sequence number; also the message's modseq after the change
 * @param folder the folder after the change (for an expunge: the folder it was expunged from)
 * @param uid the UID after the change, null when expunged
 * @param priorFolder where a moved or expunged message was, else null
 * @param priorUid its UID there, else null
 */
public record MailChange(UUID mailboxId, long seq, Kind kind, UUID messageId, String folder,
    Long uid, String priorFolder, Long priorUid, Instant occurredAt) {

  public enum Kind {
    /** Filed into a folder. */
    NEW,
    /** Flags changed (modseq bumped). */
    UPDATED,
    /** Moved: a new UID in {@code folder}, expunged from {@code priorFolder} (RFC 6851). */
    MOVED,
    /** Removed for good. */
    EXPUNGED;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The stored string ({@code mail_changes.kind}). */
    public String wire() {
      return wire;
    }

    public static Kind fromWire(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }
}
