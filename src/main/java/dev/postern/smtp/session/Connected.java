package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.util.Optional;

/**
 * A listener policy's answer to a new connection.
 *
 * @param refusal when present, sent instead of the greeting, then the connection is closed
 * @param key the key the client is authenticated as from the start (LAN shim CIDR map)
 * @param rewriteFromToMailbox with {@code key}: envelope sender and From header become the key's
 *     mailbox
 */
public record Connected(Optional<SmtpResponse> refusal, Optional<AuthenticatedKey> key,
    boolean rewriteFromToMailbox) {

  public static Connected accept() {
    return new Connected(Optional.empty(), Optional.empty(), false);
  }

  public static Connected as(AuthenticatedKey key, boolean rewriteFromToMailbox) {
    return new Connected(Optional.empty(), Optional.of(key), rewriteFromToMailbox);
  }

  public static Connected refuse(SmtpResponse reply) {
    return new Connected(Optional.of(reply), Optional.empty(), false);
  }
}
