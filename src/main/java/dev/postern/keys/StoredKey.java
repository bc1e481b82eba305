package dev.postern.keys;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key row as stored: metadata plus the sealed plaintext. {@code domainId}/{@code domainName}
 * are the key's domain whichever the binding (a mailbox-bound key's mailbox domain).
 */
public record StoredKey(UUID id, String name, KeyMode mode, String lookupPrefix, Sealed sealed,
    List<String> scopes, UUID mailboxId, String mailboxAddress, UUID domainId, String domainName,
    int rateLimitPerHour, Instant expiresAt, Instant revokedAt, Instant lastUsedAt,
    UUID rotatedFrom, Instant createdAt) {

  public boolean mailboxBound() {
    return mailboxId != null;
  }

  public boolean usableAt(Instant now) {
    return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
  }

  /** Admin metadata (SPEC §4): never the plaintext, never the lookup prefix. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("object", "api_key")
        .put("id", id.toString())
        .put("name", name)
        .put("mode", mode.wire())
        .put("scopes", new JsonArray(scopes))
        .put("rate_limit_per_hour", rateLimitPerHour)
        .put("expires_at", text(expiresAt))
        .put("revoked_at", text(revokedAt))
        .put("last_used_at", text(lastUsedAt))
        .put("rotated_from", rotatedFrom == null ? null : rotatedFrom.toString())
        .put("created_at", text(createdAt));
    if (mailboxBound()) {
      json.put("mailbox", mailboxAddress);
    } else {
      json.put("domain", domainName);
    }
    return json;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  @Override
  public String toString() {
    return "StoredKey[" + id + " " + mode.wire() + "]";
  }
}
