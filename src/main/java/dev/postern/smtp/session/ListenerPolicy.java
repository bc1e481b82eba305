package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What differs between listeners, kept out of the protocol (as James's {@code RcptHook} /
 * {@code MailHook}): the session asks the policy, the policy never drives the session. A hook
 * answers empty to let the command through, or the reply that refuses it.
 *
 * <p>Implementations: {@link SubmissionPolicy} (587/465), {@link LanShimPolicy}, {@link MxPolicy}
 * (the inbound MX, which refuses recipients that are not hosted in {@link #onRcpt}).
 */
public interface ListenerPolicy {

  /** STARTTLS is advertised and accepted on a connection without TLS (RFC 3207). */
  boolean offersStartTls();

  /** AUTH may be used (and is advertised) on a connection in this TLS state. */
  boolean authAllowed(boolean tls);

  /** MAIL needs an authenticated key (530 5.7.0 otherwise). */
  boolean authRequired();

  /** A new connection: refuse it, accept it, or authenticate it by its address. */
  default Future<Connected> onConnect(InetSocketAddress client) {
    return Future.succeededFuture(Connected.accept());
  }

  /** After a key was verified by AUTH. */
  default Future<Optional<SmtpResponse>> onAuth(HookContext context, AuthenticatedKey key) {
    return Future.succeededFuture(Optional.empty());
  }

  /** After MAIL FROM parsed and passed the session's own checks. */
  default Future<Optional<SmtpResponse>> onMail(HookContext context, String mailFrom) {
    return Future.succeededFuture(Optional.empty());
  }

  /** After RCPT TO parsed and passed the session's own checks (recipient limit, syntax). */
  default Future<Optional<SmtpResponse>> onRcpt(HookContext context, String mailFrom,
      String recipient) {
    return Future.succeededFuture(Optional.empty());
  }
}
