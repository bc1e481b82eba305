package dev.postern.delivery;

import dev.postern.delivery.smtp.RecipientResult;
import dev.postern.delivery.smtp.Verdict;
import java.util.List;

/**
 * What one delivery attempt produced, after failover: the relay that gave the answer (null when
 * none was reached), each recipient's result, and whether the relay accepted the content.
 */
public record RelayAttempt(String relay, List<RecipientResult> recipients, boolean sent,
    String sentReply) {

  /** Every recipient gets the same local reason, e.g. "no relay configured". */
  public static RelayAttempt allFailed(String relay, List<String> recipients, Verdict verdict,
      String reason) {
    return new RelayAttempt(relay, recipients.stream()
        .map(r -> new RecipientResult(r, verdict, reason)).toList(), false, null);
  }
}
