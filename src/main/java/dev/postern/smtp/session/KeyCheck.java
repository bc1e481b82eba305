package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * The key lookups a session needs; implemented by {@code auth.KeyAuthenticator}
 * ({@code verify}, {@code byId}). Both fail with {@code auth.UnauthorizedException} for a bad,
 * unknown, revoked or expired key, and with a database failure when it is unreachable.
 */
public interface KeyCheck {
  /** The key behind a presented API key (the AUTH password). */
  Future<AuthenticatedKey> verify(String presentedKey);

  /** A key by its id, with the same revocation and expiry checks (the LAN CIDR map). */
  Future<AuthenticatedKey> byId(UUID keyId);
}
