package dev.postern.delivery.smtp;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction (RFC 5321 §3.3) on an open connection: MAIL FROM with SIZE when offered,
 * one RCPT per recipient, DATA, and a per-recipient result built from the RCPT and final DATA
 * replies.
 *
 * <p>When the relay offers PIPELINING (RFC 2920), MAIL, every RCPT and DATA go in one write —
 * DATA may end a group (§3.1) — and their replies are read in order: two round trips per
 * message (the group, then the content) instead of 3 + one per recipient. Every reply in the
 * group is checked (§3.1): a refused RCPT fails only its recipient; if DATA is answered 354
 * although no recipient was accepted, a single dot ends the empty data phase. Without
 * PIPELINING, one command at a time, and DATA only once a recipient was accepted.
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
    if (caps.pipelining()) {
      commands.add("DATA");
      return c.pipeline(commands)
          .compose(replies -> afterGroup(c, recipients, replies, content, dataTimeoutMs));
    }
    return sequential(c, commands)
        .compose(replies -> afterEnvelope(c, recipients, replies, content, dataTimeoutMs));
  }

  /** The replies to MAIL, each RCPT and DATA, sent as one group. */
  private static Future<TransactionResult> afterGroup(SmtpConnection c, List<String> recipients,
      List<SmtpReply> replies, DataContent content, long dataTimeoutMs) {
    SmtpReply mail = replies.get(0);
    SmtpReply data = replies.get(replies.size() - 1);
    List<String> accepted = new ArrayList<>();
    List<RecipientResult> refused = new ArrayList<>();
    sortRecipients(recipients, replies, accepted, refused);
    if (data.code() == 354 && (!mail.positive() || accepted.isEmpty())) {
      // A relay that opened the data phase for a transaction with no recipient: close it empty.
      return c.emptyContent().map(end -> mail.positive() ? refusedAll(refused)
          : TransactionResult.allFailed(recipients, mail, false));
    }
    if (!mail.positive()) {
      return Future.succeededFuture(TransactionResult.allFailed(recipients, mail, false));
    }
    if (accepted.isEmpty()) {
      return Future.succeededFuture(refusedAll(refused));
    }
    // A 2xx to DATA itself is no acceptance of content that was never sent.
    Future<SmtpReply> finalReply = data.code() == 354 ? c.content(content, dataTimeoutMs)
        : Future.succeededFuture(data.positive()
            ? SmtpReply.of(451, "4.5.0 unexpected reply to DATA: " + data) : data);
    return finalReply.map(reply -> finalResult(accepted, refused, reply));
  }

  private static void sortRecipients(List<String> recipients, List<SmtpReply> replies,
      List<String> accepted, List<RecipientResult> refused) {
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply rcpt = replies.get(i + 1);
      if (rcpt.positive()) {
        accepted.add(recipients.get(i));
      } else {
        refused.add(new RecipientResult(recipients.get(i), Verdict.of(rcpt), rcpt.toString()));
      }
    }
  }

  /** Every recipient refused at RCPT: nothing was sent; RSET before the connection is reused. */
  private static TransactionResult refusedAll(List<RecipientResult> refused) {
    boolean allTransient = refused.stream().allMatch(r -> r.verdict() == Verdict.TRANSIENT);
    return new TransactionResult(refused, false, null, allTransient, false);
  }

  /** The final reply (or the refusal of DATA) decides every recipient accepted at RCPT. */
  private static TransactionResult finalResult(List<String> accepted,
      List<RecipientResult> refused, SmtpReply reply) {
    List<RecipientResult> out = new ArrayList<>(refused);
    Verdict verdict = Verdict.of(reply);
    accepted.forEach(r -> out.add(new RecipientResult(r, verdict, reply.toString())));
    boolean allTransient = out.stream().allMatch(r -> r.verdict() == Verdict.TRANSIENT);
    return new TransactionResult(out, verdict == Verdict.DELIVERED, reply, allTransient,
        verdict == Verdict.DELIVERED);
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
    sortRecipients(recipients, replies, accepted, refused);
    if (accepted.isEmpty()) {
      return Future.succeededFuture(refusedAll(refused));
    }
    return c.data(content, dataTimeoutMs).map(reply -> finalResult(accepted, refused, reply));
  }
}
