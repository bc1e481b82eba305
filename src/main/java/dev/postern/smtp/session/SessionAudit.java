package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The audit trail of an authenticated session (SPEC §3 "Audit", {@code source: smtp}): one row
 * per message accepted or refused, at MAIL or at the end of DATA. Must never block or throw.
 */
public interface SessionAudit {

  /**
   * @param stage {@code "MAIL"} or {@code "DATA"}: where the transaction ended
   * @param reply what the client was told
   * @param queued the committed message, when it was accepted
   */
  void message(AuthenticatedKey key, InetSocketAddress client, String stage, SmtpResponse reply,
      Optional<Queued> queued);

  static SessionAudit none() {
    return (key, client, stage, reply, queued) -> { };
  }
}
