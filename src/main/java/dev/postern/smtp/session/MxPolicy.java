package dev.postern.smtp.session;

import dev.postern.smtp.SmtpReplies;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import java.util.Objects;
import java.util.Optional;

/**
 * The inbound MX (SPEC §5; RFC 5321 §2.3.5 as the final destination of our domains' mail): any
 * client may send, without AUTH (never offered, 502 if tried: this is not a submission port) and
 * with STARTTLS offered (RFC 3207) but not required, as MTAs deliver opportunistically. MAIL takes
 * any reverse-path, the null one of bounces included (RFC 5321 §4.5.5).
 *
 * <p>Each recipient is checked at RCPT ({@link RecipientCheck}), so a sender learns at once which
 * addresses are refused and nothing is accepted for them: an unknown local part of a hosted
 * domain is 550 5.1.1, a domain we do not host 554 5.7.1 (never an open relay), a full mailbox
 * 452 4.2.2, the database unreachable 451 4.3.0 (temporary: the sender's queue retries).
 */
public final class MxPolicy implements ListenerPolicy {

  private final RecipientCheck recipients;

  public MxPolicy(RecipientCheck recipients) {
    this.recipients = Objects.requireNonNull(recipients, "recipients");
  }

  @Override
  public boolean offersStartTls() {
    return true;
  }

  @Override
  public boolean authAllowed(boolean tls) {
    return false;
  }

  @Override
  public boolean authRequired() {
    return false;
  }

  @Override
  public Future<Optional<SmtpResponse>> onRcpt(HookContext context, String mailFrom,
      String recipient) {
    Future<Void> checked;
    try {
      checked = recipients.check(recipient);
    } catch (RuntimeException e) {
      checked = Future.failedFuture(e);
    }
    return checked.transform(result -> Future.succeededFuture(result.succeeded()
        ? Optional.<SmtpResponse>empty()
        : Optional.of(SmtpReplies.ofFailure(result.cause()))));
  }
}
