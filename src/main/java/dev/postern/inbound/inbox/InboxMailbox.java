package dev.postern.inbound.inbox;

import dev.postern.mailboxes.EncryptionTier;
import java.util.UUID;

/**
 * The mailbox an inbox request acts on, resolved from the key's binding (and, for a domain-bound
 * key, the mailbox it names).
 */
public record InboxMailbox(UUID id, String address, EncryptionTier tier) {

  /** Bodies of a {@code standard}-tier mailbox are OpenPGP-encrypted: the server cannot read them. */
  public boolean bodiesReadable() {
    return tier == EncryptionTier.PLAINTEXT;
  }
}
