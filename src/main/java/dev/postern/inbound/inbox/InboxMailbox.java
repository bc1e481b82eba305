package dev.postern.inbound.inbox;

import dev.postern.mailboxes.EncryptionTier;
import java.util.UUID;

/**
 * The mailbox an inbox request acts on, resolved from the key's binding (and, for a domain-bound
 * key, the mailbox it names).
 *
 * @param changeSeq the mailbox's change sequence when it was read: every change to its messages
 *     (filing, threading, flags, moves, deletes) bumps it in the changing transaction, so a
 *     listing read after this row reflects at least this version (the list cache's validator)
 */
public record InboxMailbox(UUID id, String address, EncryptionTier tier, long changeSeq) {

  /** Bodies of a {@code standard}-tier mailbox are OpenPGP-encrypted: the server cannot read them. */
  public boolean bodiesReadable() {
    return tier == EncryptionTier.PLAINTEXT;
  }
}
