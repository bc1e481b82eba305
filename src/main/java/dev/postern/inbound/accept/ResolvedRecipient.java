package dev.postern.inbound.accept;

import dev.postern.mailboxes.EncryptionTier;
import java.util.Objects;
import java.util.UUID;

/**
 * Where mail for one envelope recipient goes.
 *
 * @param recipient the address as the sender gave it ({@code bot+tag@example.com})
 * @param mailboxId the hosted mailbox that receives it
 * @param mailboxAddress that mailbox's address
 * @param tier how its mail is stored: {@code plaintext}, or {@code standard} (OpenPGP to
 *     {@code pgpPublicKey})
 * @param pgpPublicKey the mailbox's ASCII-armoured public key, or null
 * @param tag the sub-address kept from {@code bot+tag@}, or null
 * @param catchAll the local part named no mailbox: the domain's catch-all receives it
 */
public record ResolvedRecipient(String recipient, UUID mailboxId, String mailboxAddress,
    EncryptionTier tier, String pgpPublicKey, String tag, boolean catchAll) {

  public ResolvedRecipient {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(mailboxId, "mailboxId");
    Objects.requireNonNull(tier, "tier");
  }
}
