package dev.postern.smtp.session;

import dev.postern.auth.UnauthorizedException;
import dev.postern.smtp.SmtpReplies;
import io.vertx.core.Future;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LAN shim for printers and scanners (SPEC §5): a plaintext listener on which AUTH without
 * TLS is allowed. A client whose address falls in a mapped network is authenticated at connect
 * as that network's key (its scopes, quota and binding apply); everyone else must AUTH before
 * MAIL. With {@code rewriteFrom}, mapped clients' mail is sent as the key's mailbox (envelope
 * and From header); it needs a mailbox-bound key, a domain-bound key keeps the client's sender.
 */
public final class LanShimPolicy implements ListenerPolicy {

  private static final Logger log = LoggerFactory.getLogger(LanShimPolicy.class);

  private final CidrMap<UUID> networks;
  private final KeyCheck keys;
  private final boolean rewriteFrom;

  public LanShimPolicy(CidrMap<UUID> networks, KeyCheck keys, boolean rewriteFrom) {
    this.networks = networks;
    this.keys = keys;
    this.rewriteFrom = rewriteFrom;
  }

  @Override
  public boolean offersStartTls() {
    return false;
  }

  @Override
  public boolean authAllowed(boolean tls) {
    return true;
  }

  @Override
  public boolean authRequired() {
    return true;
  }

  /**
   * A mapped key that is revoked or expired leaves the client unauthenticated (it gets 530 at
   * MAIL, like any unmapped client); the database down refuses the connection with 421 4.3.0.
   */
  @Override
  public Future<Connected> onConnect(InetSocketAddress client) {
    Optional<UUID> keyId = client.getAddress() == null ? Optional.empty()
        : networks.lookup(client.getAddress());
    if (keyId.isEmpty()) {
      return Future.succeededFuture(Connected.accept());
    }
    return keys.byId(keyId.get())
        .map(key -> Connected.as(key, rewriteFrom && key.mailboxBound()))
        .recover(failure -> {
          if (failure instanceof UnauthorizedException) {
            log.warn("LAN shim: the key mapped for {} is unknown, revoked or expired", keyId.get());
            return Future.succeededFuture(Connected.accept());
          }
          return Future.succeededFuture(Connected.refuse(SmtpReplies.unavailableAtConnect()));
        });
  }
}
