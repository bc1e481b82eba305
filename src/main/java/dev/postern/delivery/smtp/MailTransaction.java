package dev.postern.delivery.smtp;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction (RFC 5321 §3.3) on an open connection: MAIL FROM with SIZE when offered,
 * one RCPT per recipient (all in one write under PIPELINING), DATA if any recipient was
 * accepted, and a per-recipient result built from the RCPT and final DATA replies.
 */
public final class MailTransaction {

  private MailTransaction() {}

  public static Future<TransactionResult> run(SmtpConnection c, String from, List<String> recipients,
      DataContent content, long dataTimeoutMs) {
    EhloCapabilities caps = c.capabilities();
    if (caps.size() && caps.sizeLimit() > 0 && content.size() > caps.sizeLimit()) {
      // RFC 1870 §6.1: do not send a message larger than the advertised limit.
      return Future.succeededFuture(TransactionResult.allFailed(recipients, SmtpReply.of(552,
          "5.3.4 message of " + content.size() + " octets exceeds the relay's SIZE "
              + caps.sizeLimit()), true));
    }
    List<String> commands = new ArrayList<>();
    commands.add("MAIL FROM:<" + from + ">" + (caps.size() ? " SIZE=" + content.size() : ""));
    recipients.forEach(r -> commands.add("RCPT TO:<" + r + ">"));
    Future<List<SmtpReply>> envelope = caps.pipelining() ? c.pipeline(commands)
        : sequential(c, commands);
    return envelope.compose(replies -> afterEnvelope(c, recipients, replies, content, dataTimeoutMs));
  }

  /** Without PIPELINING: one command at a time, stopping after a refused MAIL. */
  private static Future<List<SmtpReply>> sequential(SmtpConnection c, List<String> commands) {
    List<SmtpReply> replies = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String command : commands) {
      chain = chain.compose(v -> replies.size() == 1 && !replies.get(0).positive()
          ? Future.succeededFuture()
          : c.command(command).map(reply -> {
            replies.add(reply);
            return null;
          }));
    }
    return chain.map(replies);
  }

  private static Future<TransactionResult> afterEnvelope(SmtpConnection c, List<String> recipients,
      List<SmtpReply> replies, DataContent content, long dataTimeoutMs) {
    SmtpReply mail = replies.get(0);
    if (!mail.positive()) {
      return Future.succeededFuture(TransactionResult.allFailed(recipients, mail, false));
    }
    List<String> accepted = new ArrayList<>();
    List<RecipientResult> refused = new ArrayList<>();
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply rcpt = replies.get(i + 1);
      if (rcpt.positive()) {
        accepted.add(recipients.get(i));
      } else {
        refused.add(new RecipientResult(recipients.get(i), Verdict.of(rcpt), rcpt.toString()));
      }
    }
    if (accepted.isEmpty()) {
      boolean allTransient = refused.stream().allMatch(r -> r.verdict() == Verdict.TRANSIENT);
      return Future.succeededFuture(new TransactionResult(refused, false, null, allTransient, false));
    }
    return c.data(content, dataTimeoutMs).map(reply -> {
      List<RecipientResult> out = new ArrayList<>(refused);
      Verdict verdict = Verdict.of(reply);
      accepted.forEach(r -> out.add(new RecipientResult(r, verdict, reply.toString())));
      boolean allTransient = out.stream().allMatch(r -> r.verdict() == Verdict.TRANSIENT);
      return new TransactionResult(out, verdict == Verdict.DELIVERED, reply, allTransient,
          verdict == Verdict.DELIVERED);
    });
  }
}
