package dev.postern.send;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.mail.EmailAddress;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import java.util.Optional;

/** SPEC §3: the From address must be the key's mailbox, or an address of the key's domain. */
public final class SenderPolicy {

  private SenderPolicy() {}

  /** The refusal of {@code from} for this key, or empty when the key may send as it. */
  public static Optional<Refusal> refusal(AuthenticatedKey key, EmailAddress from) {
    boolean allowed = key.mailboxBound()
        ? from.address().equalsIgnoreCase(key.mailboxAddress())
        : from.domain().equalsIgnoreCase(key.domainName());
    return allowed ? Optional.empty() : Optional.of(Refusal.of(Reason.SENDER_NOT_ALLOWED,
        "from must be " + (key.mailboxBound() ? key.mailboxAddress() : "an address of " + key.domainName())
            + " for this key"));
  }
}
