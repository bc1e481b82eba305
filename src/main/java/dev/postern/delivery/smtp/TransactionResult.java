package dev.postern.delivery.smtp;

import java.util.List;

/**
 * The outcome of one mail transaction on one relay.
 *
 * @param accepted the relay took the content (final DATA reply 2xx): the message was "sent"
 * @param finalReply the final DATA reply when there was one, else null
 * @param wholeTransient every recipient failed with 4xx: another relay may be tried
 * @param clean the connection is between transactions and can be reused without RSET
 */
public record TransactionResult(List<RecipientResult> recipients, boolean accepted,
    SmtpReply finalReply, boolean wholeTransient, boolean clean) {

  public static TransactionResult allFailed(List<String> recipients, SmtpReply reply, boolean clean) {
    Verdict verdict = Verdict.of(reply);
    List<RecipientResult> out = recipients.stream()
        .map(r -> new RecipientResult(r, verdict, reply.toString())).toList();
    return new TransactionResult(out, false, null, verdict == Verdict.TRANSIENT, clean);
  }
}
