package dev.postern.auth;

import dev.postern.keys.KeyMode;
import dev.postern.keys.StoredKey;
import java.util.List;
import java.util.UUID;

/**
 * The key a request was authenticated with: what routes need to know (binding, scopes, quota),
 * never the secret itself.
 */
public record AuthenticatedKey(UUID id, String name, KeyMode mode, List<String> scopes,
    UUID mailboxId, String mailboxAddress, UUID domainId, String domainName, int rateLimitPerHour) {

  static AuthenticatedKey of(StoredKey key) {
    return new AuthenticatedKey(key.id(), key.name(), key.mode(), key.scopes(), key.mailboxId(),
        key.mailboxAddress(), key.domainId(), key.domainName(), key.rateLimitPerHour());
  }

  public boolean mailboxBound() {
    return mailboxId != null;
  }

  public boolean sandboxed() {
    return mode == KeyMode.TEST;
  }
}
