package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.keys.Scope;
import dev.postern.keys.Scopes;
import dev.postern.mail.EmailAddress;
import dev.postern.refusal.Refusal;
import dev.postern.send.SenderPolicy;
import dev.postern.smtp.SmtpReplies;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One SMTP server session (RFC 5321 with ESMTP extensions), knowing nothing of sockets: the glue
 * feeds it commands, AUTH lines and DATA chunks, and writes the replies it answers. The glue
 * calls it one command at a time, on one context (the next call only after the previous future
 * completed), so it holds no locks. Per-listener rules come from a {@link ListenerPolicy}.
 *
 * <p>States: greeted → EHLO/HELO → (STARTTLS → TLS, EHLO needed again; RFC 3207 §4.2) →
 * (AUTH) → MAIL → RCPT+ → DATA → chunks → dot → back to after EHLO. RSET, and EHLO/HELO
 * themselves, drop a transaction (RFC 5321 §4.1.1.1, §4.1.1.5).
 */
public final class SmtpSession {

  private final SessionSetup setup;
  private final ListenerPolicy policy;
  private final SmtpServices services;
  private final SessionAuth auth;
  private boolean tls;
  /** The EHLO/HELO argument; null until one (and again after STARTTLS). */
  private String helo;
  /** The client greeted with EHLO rather than HELO. */
  private boolean esmtp;
  private AuthenticatedKey key;
  private boolean rewriteFrom;
  /** The reverse-path of the transaction in progress ({@code ""}: null sender), or null. */
  private String mailFrom;
  private final List<String> recipients = new ArrayList<>();
  private final Set<String> recipientsSeen = new HashSet<>();
  private DataTransfer transfer;
  private boolean closed;

  public SmtpSession(SessionSetup setup, ListenerPolicy policy, SmtpServices services) {
    this.setup = setup;
    this.policy = policy;
    this.services = services;
    this.tls = setup.implicitTls();
    this.auth = new SessionAuth(setup, policy, services, this::hookContext, k -> key = k);
  }

  /** The greeting (RFC 5321 §4.3.1), or the policy's refusal of this client and CLOSE. */
  public Future<SessionReply> open() {
    return policy.onConnect(setup.client())
        .map(connected -> {
          if (connected.refusal().isPresent()) {
            return SessionReply.close(connected.refusal().get());
          }
          connected.key().ifPresent(k -> {
            key = k;
            rewriteFrom = connected.rewriteFromToMailbox();
          });
          return SessionReply.commands(SmtpReplies.greeting(setup.serverName()));
        })
        .otherwise(failure -> SessionReply.close(SmtpReplies.unavailableAtConnect()));
  }

  /** One command line. */
  public Future<SessionReply> command(SmtpRequest request) {
    if (closed) {
      return now(SmtpReplies.badSequence("connection closed"));
    }
    if (transfer != null || auth.inProgress()) {
      return now(SmtpReplies.badSequence("a command during DATA or AUTH"));
    }
    String verb = request.command().name().toString().toUpperCase(Locale.ROOT);
    String arguments = String.join(" ", request.parameters()).strip();
    return switch (verb) {
      case "EHLO" -> now(hello(arguments, true));
      case "HELO" -> now(hello(arguments, false));
      case "STARTTLS" -> startTls(arguments);
      case "AUTH" -> auth(arguments);
      case "MAIL" -> mail(arguments);
      case "RCPT" -> rcpt(arguments);
      case "DATA" -> data(arguments);
      case "RSET" -> now(rset(arguments));
      case "NOOP" -> now(SmtpReplies.ok());
      case "VRFY" -> now(arguments.isEmpty() ? SmtpReplies.syntax("VRFY <address>") : SmtpReplies.cannotVerify());
      case "EXPN" -> now(SmtpReplies.notImplemented("EXPN"));
      case "HELP" -> now(SmtpReplies.help());
      case "QUIT" -> Future.succeededFuture(SessionReply.close(SmtpReplies.bye()));
      default -> now(SmtpReplies.unknownCommand());
    };
  }

  /** A continuation line of AUTH, after a 334. */
  public Future<SessionReply> authLine(String line) {
    if (!auth.inProgress()) {
      return now(SmtpReplies.badSequence("no AUTH exchange in progress"));
    }
    return auth.line(line);
  }

  /** Un-dot-stuffed DATA bytes; false: pause reading until {@link #onDataDrain}'s callback. */
  public boolean data(Buffer chunk) {
    return transfer == null || transfer.write(chunk);
  }

  /** {@code resume} runs when the sink has taken enough (at once when nothing is waiting). */
  public void onDataDrain(Runnable resume) {
    if (transfer == null) {
      resume.run();
    } else {
      transfer.onDrain(resume);
    }
  }

  /** The final {@code .}: 250 with the id after the durable commit, or the refusal. */
  public Future<SessionReply> dataEnd() {
    if (transfer == null) {
      return now(SmtpReplies.badSequence("no DATA in progress"));
    }
    DataTransfer ending = transfer;
    return ending.finish().map(outcome -> {
      transfer = null;
      resetTransaction();
      if (key != null) {
        services.audit().message(key, setup.client(), "DATA", outcome.reply(), outcome.queued());
      }
      return SessionReply.commands(outcome.reply());
    });
  }

  /** A byte-level violation the codec found. */
  public SessionReply violation(ProtocolViolation violation) {
    return switch (violation) {
      case BARE_NEWLINE -> {
        abortData();
        yield SessionReply.close(SmtpReplies.bareNewline());
      }
      case COMMAND_TOO_LONG -> SessionReply.commands(SmtpReplies.commandTooLong());
      case TEXT_LINE_TOO_LONG -> {
        if (transfer != null) {
          // Deferred: the message is refused after the dot (dataEnd answers this reply).
          transfer.doom(SmtpReplies.textLineTooLong(), Refusal.invalid("data", "a text line is over 1000 octets"));
          yield new SessionReply(SmtpReplies.textLineTooLong(), SessionReply.Next.DATA);
        }
        yield SessionReply.commands(SmtpReplies.textLineTooLong());
      }
      case AUTH_LINE_TOO_LONG -> {
        auth.cancel();
        yield SessionReply.commands(SmtpReplies.authLineTooLong());
      }
      case INVALID_COMMAND_BYTES -> SessionReply.commands(SmtpReplies.invalidCommandBytes());
      case TALKED_BEFORE_GREETING -> SessionReply.close(SmtpReplies.talkedBeforeGreeting());
      case NOT_SMTP -> SessionReply.close(SmtpReplies.notSmtp());
    };
  }

  /** The handshake after STARTTLS succeeded: forget everything learned before it (RFC 3207 §4.2). */
  public void tlsStarted() {
    tls = true;
    helo = null;
    auth.cancel();
    resetTransaction();
  }

  public SessionReply idleTimeout() {
    return SessionReply.close(SmtpReplies.idleTimeout());
  }

  /** For a session between transactions; a DATA in flight is left to finish within the grace. */
  public SessionReply shuttingDown() {
    return SessionReply.close(SmtpReplies.shuttingDown());
  }

  /** The connection is gone: a DATA in flight fails its stream, so nothing commits. */
  public void closed() {
    closed = true;
    abortData();
  }

  // --- Commands ---

  private SmtpResponse hello(String domain, boolean extended) {
    if (domain.isEmpty()) {
      return SmtpReplies.syntax(extended ? "EHLO <domain>" : "HELO <domain>");
    }
    helo = domain;
    esmtp = extended;
    resetTransaction();
    return extended ? SmtpReplies.ehlo(setup.serverName(), extensions())
        : SmtpReplies.helo(setup.serverName());
  }

  /** RFC 1870, 6152, 2034, 6531, 2920, 3207, 4954. */
  private List<String> extensions() {
    List<String> extensions = new ArrayList<>(List.of("PIPELINING",
        "SIZE " + setup.limits().maxMessageBytes(), "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"));
    if (!tls && policy.offersStartTls()) {
      extensions.add("STARTTLS");
    }
    if (key == null && policy.authAllowed(tls)) {
      extensions.add("AUTH PLAIN LOGIN");
    }
    return extensions;
  }

  private Future<SessionReply> startTls(String arguments) {
    if (!arguments.isEmpty()) {
      return now(SmtpReplies.syntax("STARTTLS takes no argument"));
    }
    if (tls) {
      return now(SmtpReplies.tlsAlreadyActive());
    }
    if (!policy.offersStartTls()) {
      return now(SmtpReplies.tlsNotAvailable());
    }
    return Future.succeededFuture(new SessionReply(SmtpReplies.readyToStartTls(), SessionReply.Next.START_TLS));
  }

  private Future<SessionReply> auth(String arguments) {
    if (helo == null) {
      return now(SmtpReplies.badSequence("send EHLO first"));
    }
    if (key != null) {
      return now(SmtpReplies.alreadyAuthenticated());
    }
    if (mailFrom != null) {
      return now(SmtpReplies.badSequence("AUTH is not allowed during a mail transaction"));
    }
    if (!policy.authAllowed(true)) {
      return now(SmtpReplies.authNotAvailable());
    }
    if (!policy.authAllowed(tls)) {
      return now(SmtpReplies.tlsRequired());
    }
    return auth.start(arguments);
  }

  private Future<SessionReply> mail(String arguments) {
    if (helo == null) {
      return now(SmtpReplies.badSequence("send EHLO or HELO first"));
    }
    if (mailFrom != null) {
      return now(SmtpReplies.badSequence("nested MAIL command"));
    }
    if (key == null && policy.authRequired()) {
      return now(policy.authAllowed(tls) ? SmtpReplies.authRequired() : SmtpReplies.tlsRequired());
    }
    PathArguments.Parsed parsed = PathArguments.mail(arguments);
    if (parsed.refused()) {
      return now(parsed.refusal());
    }
    Optional<SmtpResponse> badParam = PathArguments.mailParameterRefusal(parsed.params(),
        setup.limits().maxMessageBytes());
    if (badParam.isPresent()) {
      return now(badParam.get());
    }
    String sender = parsed.address();
    if (key != null) {
      Optional<SmtpResponse> refused = submissionSender(sender);
      if (refused.isPresent()) {
        return mailRefused(refused.get());
      }
      sender = rewriteFrom ? key.mailboxAddress() : sender;
    }
    String accepted = sender;
    return quotaAtMail()
        .compose(quota -> quota.isPresent() ? Future.succeededFuture(quota)
            : policy.onMail(hookContext(), accepted))
        .compose(refusal -> {
          if (refusal.isPresent()) {
            return mailRefused(refusal.get());
          }
          mailFrom = accepted;
          return now(SmtpReplies.senderOk());
        });
  }

  /**
   * An authenticated sender: the key needs {@code emails:send} (550 5.7.1 here, not 535 at AUTH:
   * docs/contract.md §5), and the reverse-path must be inside its binding (send.SenderPolicy, as
   * REST). The null sender is refused for submission. With the LAN shim's From rewrite the
   * sender becomes the key's mailbox, whatever the device sent.
   */
  private Optional<SmtpResponse> submissionSender(String sender) {
    if (!Scopes.grants(key.user(), Scope.EMAILS_SEND)) {
      return Optional.of(SmtpReplies.scopeMissing());
    }
    if (rewriteFrom) {
      return Optional.empty();
    }
    if (sender.isEmpty()) {
      return Optional.of(SmtpReplies.nullSenderRefused());
    }
    return SenderPolicy.refusal(key, EmailAddress.parseBare(sender)).map(SmtpReplies::of);
  }

  /** A spent quota refused before the data is sent (advisory; a failed look lets MAIL through). */
  private Future<Optional<SmtpResponse>> quotaAtMail() {
    if (key == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return services.quotas().peekSends(key)
        .map(decision -> decision.allowed() ? Optional.<SmtpResponse>empty()
            : Optional.of(SmtpReplies.of(Refusal.quota(decision, "hourly quota spent",
                decision.retryAfterSeconds(setup.clock())))))
        .otherwise(Optional.empty());
  }

  private Future<SessionReply> mailRefused(SmtpResponse reply) {
    if (key != null) {
      services.audit().message(key, setup.client(), "MAIL", reply, Optional.empty());
    }
    return now(reply);
  }

  private Future<SessionReply> rcpt(String arguments) {
    if (mailFrom == null) {
      return now(SmtpReplies.badSequence("need MAIL before RCPT"));
    }
    PathArguments.Parsed parsed = PathArguments.rcpt(arguments);
    if (parsed.refused()) {
      return now(parsed.refusal());
    }
    if (!parsed.params().isEmpty()) {
      return now(SmtpReplies.syntax("RCPT takes no parameters here"));
    }
    String recipient = parsed.address();
    if (recipientsSeen.contains(recipient.toLowerCase(Locale.ROOT))) {
      return now(SmtpReplies.recipientOk());
    }
    if (recipients.size() >= setup.limits().maxRecipients()) {
      return now(SmtpReplies.tooManyRecipients());
    }
    return policy.onRcpt(hookContext(), mailFrom, recipient).map(refusal -> {
      if (refusal.isPresent()) {
        return SessionReply.commands(refusal.get());
      }
      if (recipientsSeen.add(recipient.toLowerCase(Locale.ROOT))) {
        recipients.add(recipient);
      }
      return SessionReply.commands(SmtpReplies.recipientOk());
    });
  }

  private Future<SessionReply> data(String arguments) {
    if (!arguments.isEmpty()) {
      return now(SmtpReplies.syntax("DATA takes no argument"));
    }
    if (mailFrom == null) {
      return now(SmtpReplies.badSequence("need MAIL before DATA"));
    }
    if (recipients.isEmpty()) {
      return now(SmtpReplies.badSequence("need RCPT before DATA"));
    }
    transfer = new DataTransfer(services.sink(), key, new Envelope(mailFrom, recipients),
        new SinkOptions(rewriteFrom, setup.client(), helo, esmtp, tls), setup.limits());
    return Future.succeededFuture(new SessionReply(SmtpReplies.startData(), SessionReply.Next.DATA));
  }

  private SmtpResponse rset(String arguments) {
    if (!arguments.isEmpty()) {
      return SmtpReplies.syntax("RSET takes no argument");
    }
    resetTransaction();
    return SmtpReplies.ok();
  }

  // --- State ---

  private void resetTransaction() {
    mailFrom = null;
    recipients.clear();
    recipientsSeen.clear();
  }

  private void abortData() {
    if (transfer != null) {
      transfer.abort();
    }
  }

  private HookContext hookContext() {
    return new HookContext(setup.client(), tls, Optional.ofNullable(key));
  }

  private static Future<SessionReply> now(SmtpResponse reply) {
    return Future.succeededFuture(SessionReply.commands(reply));
  }
}
