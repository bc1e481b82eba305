package dev.postern.mailboxes;

import java.util.Locale;
import java.util.Optional;

/**
 * SPEC §2: {@code standard} stores inbound mail OpenPGP-encrypted to the mailbox's key (the server
 * cannot read it); {@code plaintext} keeps it readable over the inbox API.
 */
public enum EncryptionTier {
  STANDARD, PLAINTEXT;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<EncryptionTier> fromWire(String value) {
    for (EncryptionTier tier : values()) {
      if (tier.wire().equals(value)) {
        return Optional.of(tier);
      }
    }
    return Optional.empty();
  }
}
