package dev.postern.auth;

import dev.postern.keys.KeyMode;
import dev.postern.keys.Scopes;
import dev.postern.keys.StoredKey;
import io.vertx.ext.auth.User;
import java.util.List;
import java.util.UUID;

/**
 * The key a request was authenticated with: what routes need to know (binding, scopes, quota),
 * never the secret itself.
 */
public record AuthenticatedKey(UUID id, String name, KeyMode mode, List<String> scopes,
    UUID mailboxId, String mailboxAddress, UUID domainId, String domainName, int rateLimitPerHour,
    User user) {

  /** Also builds the auth {@link User} carrying the scopes, once per cached key. */
  static AuthenticatedKey of(StoredKey key) {
    return new AuthenticatedKey(key.id(), key.name(), key.mode(), key.scopes(), key.mailboxId(),
        key.mailboxAddress(), key.domainId(), key.domainName(), key.rateLimitPerHour(),
        Scopes.attach(User.fromName(key.id().toString()), key.scopes()));
  }

  public boolean mailboxBound() {
    return mailboxId != null;
  }

  public boolean sandboxed() {
    return mode == KeyMode.TEST;
  }
}
