package dev.postern.smtp;

import dev.postern.auth.UnauthorizedException;
import dev.postern.refusal.DependencyRefusals;
import dev.postern.refusal.Refusal;
import io.netty.handler.codec.smtp.DefaultSmtpResponse;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.util.List;
import java.util.UUID;

/**
 * Every SMTP reply the server sends, and the one place a core {@link Refusal} becomes an SMTP
 * code (docs/contract.md §5 "SMTP replies"). Reply codes per RFC 5321 §4.2, enhanced status codes
 * per RFC 3463 (advertised as ENHANCEDSTATUSCODES, RFC 2034), AUTH codes per RFC 4954 §6.
 *
 * <p>Texts never echo client input beyond what the protocol needs: a reply line is ours.
 */
public final class SmtpReplies {

  private SmtpReplies() {}

  /** A one-line reply {@code code enhanced text}. */
  private static SmtpResponse reply(int code, String enhanced, String text) {
    return new DefaultSmtpResponse(code, enhanced + " " + text);
  }

  // --- Refusals of the core: the table of docs/contract.md §5 ---

  /** The wire form of a core refusal. */
  public static SmtpResponse of(Refusal refusal) {
    return switch (refusal.reason()) {
      case INVALID -> reply(501, "5.5.4", "Invalid message: " + oneLine(refusal.getMessage()));
      case UNAUTHENTICATED -> badCredentials();
      case SCOPE -> reply(550, "5.7.1", "This key lacks the emails:send scope");
      case SENDER_NOT_ALLOWED -> reply(550, "5.7.1", "Sender not allowed: " + oneLine(refusal.getMessage()));
      case TOO_LARGE -> tooLarge();
      case QUOTA -> quota(refusal);
      case UNAVAILABLE, STORAGE_UNAVAILABLE -> reply(451, "4.3.0",
          "Temporary failure: " + oneLine(refusal.getMessage()));
      // RFC 3463 X.1.1: bad destination mailbox address.
      case RECIPIENT_UNKNOWN -> reply(550, "5.1.1", "No such mailbox here");
      // RFC 3463 X.7.1: delivery not authorized; we relay for no one (RFC 5321 §3.6.2).
      case RELAY_DENIED -> reply(554, "5.7.1", "Relay access denied: this server does not host that domain");
      // RFC 3463 X.2.2: mailbox full, temporary (RFC 5321 §4.5.3.1.10 uses 452 for storage).
      case MAILBOX_FULL -> reply(452, "4.2.2", "Mailbox full; try again later");
      // Not expected from the send path; a permanent, generic failure rather than a guess.
      case NOT_FOUND, CONFLICT, IDEMPOTENCY_CONFLICT, NOT_API_READABLE ->
          reply(554, "5.0.0", "Transaction failed: " + oneLine(refusal.getMessage()));
    };
  }

  /**
   * Any failure of a core call: a refusal as {@link #of(Refusal)}, a bad key as 535 5.7.8, an
   * unreachable dependency as 451 4.3.0, anything else as RFC 5321's 451 "local error in
   * processing" (temporary: the client's queue retries; nothing was acknowledged).
   */
  public static SmtpResponse ofFailure(Throwable failure) {
    if (failure instanceof Refusal refusal) {
      return of(refusal);
    }
    if (failure instanceof UnauthorizedException) {
      return badCredentials();
    }
    return DependencyRefusals.of(failure).map(SmtpReplies::of)
        .orElseGet(() -> reply(451, "4.3.0", "Local error in processing; try again later"));
  }

  private static SmtpResponse quota(Refusal refusal) {
    String limit = refusal.quota()
        .map(d -> "Hourly sending quota of " + d.limit() + " messages spent; retry in "
            + refusal.retryAfterSeconds() + " s")
        .orElse("Hourly sending quota spent");
    return reply(451, "4.7.1", limit);
  }

  /** 535 5.7.8 (RFC 4954 §6): the key is bad, unknown, revoked or expired; never which. */
  public static SmtpResponse badCredentials() {
    return reply(535, "5.7.8", "Authentication credentials invalid");
  }

  /** 552 5.3.4: over the SIZE limit, at MAIL (declared) or after DATA (actual); nothing kept. */
  public static SmtpResponse tooLarge() {
    return reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
  }

  // --- Session replies ---

  public static SmtpResponse greeting(String serverName) {
    return new DefaultSmtpResponse(220, serverName + " ESMTP Postern");
  }

  /** The EHLO reply: first line the server name, then one extension keyword per line. */
  public static SmtpResponse ehlo(String serverName, List<String> extensions) {
    CharSequence[] lines = new CharSequence[extensions.size() + 1];
    lines[0] = serverName;
    for (int i = 0; i < extensions.size(); i++) {
      lines[i + 1] = extensions.get(i);
    }
    return new DefaultSmtpResponse(250, lines);
  }

  public static SmtpResponse helo(String serverName) {
    return new DefaultSmtpResponse(250, serverName);
  }

  public static SmtpResponse ok() {
    return reply(250, "2.0.0", "Ok");
  }

  public static SmtpResponse senderOk() {
    return reply(250, "2.1.0", "Sender ok");
  }

  public static SmtpResponse recipientOk() {
    return reply(250, "2.1.5", "Recipient ok");
  }

  public static SmtpResponse startData() {
    return new DefaultSmtpResponse(354, "End data with <CR><LF>.<CR><LF>");
  }

  /** RFC 5321 §4.2.5: sent only after the durable commit. */
  public static SmtpResponse queued(UUID id) {
    return reply(250, "2.0.0", "Ok: queued as " + id);
  }

  public static SmtpResponse bye() {
    return reply(221, "2.0.0", "Bye");
  }

  public static SmtpResponse readyToStartTls() {
    return reply(220, "2.0.0", "Ready to start TLS");
  }

  /** RFC 5321 §3.5.3: we neither confirm nor deny that an address exists. */
  public static SmtpResponse cannotVerify() {
    return reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
  }

  public static SmtpResponse help() {
    return new DefaultSmtpResponse(214, "2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP",
        "2.0.0 VRFY HELP QUIT; see https://www.rfc-editor.org/rfc/rfc5321");
  }

  public static SmtpResponse authSucceeded() {
    return reply(235, "2.7.0", "Authentication successful");
  }

  /** RFC 4954 §4: a server challenge, already base64 (empty for PLAIN's initial prompt). */
  public static SmtpResponse authChallenge(String base64) {
    return new DefaultSmtpResponse(334, base64);
  }

  public static SmtpResponse authCancelled() {
    return reply(501, "5.0.0", "Authentication cancelled");
  }

  public static SmtpResponse authMalformed() {
    return reply(501, "5.5.2", "Cannot decode the authentication response");
  }

  public static SmtpResponse authMechanismUnknown() {
    return reply(504, "5.5.4", "Unrecognized authentication type; use PLAIN or LOGIN");
  }

  public static SmtpResponse authLineTooLong() {
    return reply(500, "5.5.6", "Authentication exchange line is too long");
  }

  public static SmtpResponse tooManyAuthFailures() {
    return reply(421, "4.7.0", "Too many failed authentication attempts; closing connection");
  }

  public static SmtpResponse alreadyAuthenticated() {
    return reply(503, "5.5.1", "Already authenticated");
  }

  /** RFC 3207 §4 / RFC 4954 §6: AUTH (or MAIL) on a listener that needs TLS first. */
  public static SmtpResponse tlsRequired() {
    return reply(530, "5.7.0", "Must issue a STARTTLS command first");
  }

  public static SmtpResponse authRequired() {
    return reply(530, "5.7.0", "Authentication required");
  }

  public static SmtpResponse tlsNotAvailable() {
    return reply(502, "5.5.1", "STARTTLS not available");
  }

  public static SmtpResponse tlsAlreadyActive() {
    return reply(503, "5.5.1", "TLS already active");
  }

  public static SmtpResponse scopeMissing() {
    return reply(550, "5.7.1", "This key lacks the emails:send scope");
  }

  /** Submission refuses the null reverse-path: a key's mail always has a sender inside its binding. */
  public static SmtpResponse nullSenderRefused() {
    return reply(550, "5.7.1", "The null sender <> is not accepted for submission");
  }

  public static SmtpResponse badSenderAddress() {
    return reply(553, "5.1.7", "Malformed sender address");
  }

  public static SmtpResponse badRecipientAddress() {
    return reply(553, "5.1.3", "Malformed recipient address");
  }

  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets. */
  public static SmtpResponse senderPathTooLong() {
    return reply(501, "5.1.7", "Path too long");
  }

  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets. */
  public static SmtpResponse recipientPathTooLong() {
    return reply(501, "5.1.3", "Path too long");
  }

  /** RFC 5321 §4.5.3.1.10: the excess recipients get 452 one by one; the others go through. */
  public static SmtpResponse tooManyRecipients() {
    return reply(452, "4.5.3", "Too many recipients");
  }

  public static SmtpResponse syntax(String what) {
    return reply(501, "5.5.4", "Syntax error: " + what);
  }

  public static SmtpResponse badSequence(String what) {
    return reply(503, "5.5.1", "Bad sequence of commands: " + what);
  }

  public static SmtpResponse unknownCommand() {
    return reply(500, "5.5.2", "Command unrecognized");
  }

  /** The MX: AUTH is never offered nor accepted there (it is not a submission port). */
  public static SmtpResponse authNotAvailable() {
    return reply(502, "5.5.1", "AUTH not available on this port; use the submission port");
  }

  public static SmtpResponse notImplemented(String command) {
    return reply(502, "5.5.1", command + " not implemented");
  }

  // --- Protocol violations and connection ends ---

  /** SMTP smuggling defence (as Postfix's smtpd_forbid_bare_newline): the connection is closed. */
  public static SmtpResponse bareNewline() {
    return reply(521, "5.5.2", "Bare <LF> or <CR> received; closing connection");
  }

  /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets. */
  public static SmtpResponse commandTooLong() {
    return reply(500, "5.5.2", "Line too long");
  }

  /** RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets; answered after the data ends. */
  public static SmtpResponse textLineTooLong() {
    return reply(500, "5.5.6", "Line too long in message text; message refused");
  }

  public static SmtpResponse invalidCommandBytes() {
    return reply(500, "5.5.2", "Invalid characters in command");
  }

  public static SmtpResponse notSmtp() {
    return reply(554, "5.5.1", "Protocol error: not an SMTP client; closing connection");
  }

  public static SmtpResponse talkedBeforeGreeting() {
    return reply(554, "5.5.1", "Protocol error: commands sent before the greeting; closing connection");
  }

  public static SmtpResponse idleTimeout() {
    return reply(421, "4.4.2", "Idle timeout; closing connection");
  }

  public static SmtpResponse shuttingDown() {
    return reply(421, "4.3.2", "Service shutting down; closing connection");
  }

  /** RFC 5321 §3.8: a server that cannot serve now closes with 421. */
  public static SmtpResponse unavailableAtConnect() {
    return reply(421, "4.3.0", "Service temporarily unavailable; try again later");
  }

  public static SmtpResponse connectionRefused(String why) {
    return reply(554, "5.7.1", oneLine(why));
  }

  /** A core message made safe for one reply line (no CR/LF, bounded). */
  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    String flat = text.replaceAll("[\\r\\n\\p{Cntrl}]", " ");
    return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
  }
}
