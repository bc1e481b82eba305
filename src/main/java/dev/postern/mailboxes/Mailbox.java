package dev.postern.mailboxes;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** A hosted mailbox (SPEC §2). {@code pgpPublicKey} is null for plaintext mailboxes without one. */
public record Mailbox(UUID id, String address, UUID domainId, String domain, EncryptionTier tier,
    String pgpPublicKey, OffsetDateTime createdAt) {

  /** The admin API's view: {@code {id, address, domain, encryption_tier, has_pgp_key, created_at}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("address", address)
        .put("domain", domain)
        .put("encryption_tier", tier.wire())
        .put("has_pgp_key", pgpPublicKey != null)
        .put("created_at", createdAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }
}
