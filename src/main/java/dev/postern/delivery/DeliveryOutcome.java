package dev.postern.delivery;

import dev.postern.delivery.smtp.RecipientResult;
import dev.postern.queue.Claim;
import dev.postern.queue.RetryPolicy;
import dev.postern.queue.Settlement;
import dev.postern.queue.Settlement.Event;
import dev.postern.queue.Settlement.RecipientUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one attempt's per-recipient results into what is written (SPEC §6). Pure: no I/O.
 *
 * <p>Recipient: 2xx → {@code delivered}; 5xx → {@code bounced}; 4xx or no answer →
 * {@code deferred} with back-off, or {@code failed} once the retry horizon has passed.
 *
 * <p>Message status, derived from all its recipients after the attempt:
 * <ol>
 *   <li>any recipient still waiting for a retry → {@code deferred};</li>
 *   <li>every recipient delivered → {@code delivered};</li>
 *   <li>none delivered: any bounced → {@code bounced}, else {@code failed};</li>
 *   <li>some delivered, the rest bounced or failed → {@code partially_delivered}.</li>
 * </ol>
 * Events: {@code sent} once when the relay accepted the content, then one event per recipient
 * named after its new status.
 */
public final class DeliveryOutcome {

  private DeliveryOutcome() {}

  public static Settlement of(Claim claim, RelayAttempt attempt, RetryPolicy policy, Instant now) {
    Duration retryIn = null;
    boolean anyTransient = attempt.recipients().stream()
        .anyMatch(r -> r.verdict() == dev.postern.delivery.smtp.Verdict.TRANSIENT);
    boolean giveUp = false;
    if (anyTransient) {
      RetryPolicy.Decision decision = policy.next(claim.attempts() + 1, claim.firstQueuedAt(), now);
      if (decision instanceof RetryPolicy.Retry retry) {
        retryIn = retry.delay();
      } else {
        giveUp = true;
      }
    }
    List<RecipientUpdate> updates = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    if (attempt.sent()) {
      events.add(new Event("sent", null, attempt.relay(), attempt.sentReply()));
    }
    String lastError = null;
    for (RecipientResult r : attempt.recipients()) {
      String status = switch (r.verdict()) {
        case DELIVERED -> "delivered";
        case PERMANENT -> "bounced";
        case TRANSIENT -> giveUp ? "failed" : "deferred";
      };
      if (r.verdict() == dev.postern.delivery.smtp.Verdict.TRANSIENT) {
        lastError = r.reply();
      }
      updates.add(new RecipientUpdate(r.address(), status, r.reply()));
      events.add(new Event(status, r.address(), attempt.relay(), r.reply()));
    }
    String status = messageStatus(claim, updates);
    return new Settlement(claim.messageId(), updates, events, status,
        "deferred".equals(status) ? retryIn : null, lastError);
  }

  /** A test-mode message that somehow has a queue row: never relayed, just marked. */
  public static Settlement sandboxed(Claim claim) {
    List<RecipientUpdate> updates = claim.pendingRecipients().stream()
        .map(a -> new RecipientUpdate(a, "sandboxed", null)).toList();
    return new Settlement(claim.messageId(), updates,
        List.of(new Event("sandboxed", null, null, "test mode: not relayed")), "sandboxed", null, null);
  }

  static String messageStatus(Claim claim, List<RecipientUpdate> updates) {
    Map<String, String> statuses = new HashMap<>();
    for (int i = 0; i < claim.addresses().size(); i++) {
      statuses.put(claim.addresses().get(i), claim.statuses().get(i));
    }
    updates.forEach(u -> statuses.put(u.address(), u.status()));
    return derive(statuses.values());
  }

  static String derive(Iterable<String> recipientStatuses) {
    int total = 0;
    int delivered = 0;
    int bounced = 0;
    int sandboxed = 0;
    boolean pending = false;
    for (String s : recipientStatuses) {
      total++;
      switch (s) {
        case "delivered" -> delivered++;
        case "bounced" -> bounced++;
        case "sandboxed" -> sandboxed++;
        case "failed" -> { }
        default -> pending = true;
      }
    }
    if (pending) {
      return "deferred";
    }
    if (sandboxed == total) {
      return "sandboxed";
    }
    if (delivered == total) {
      return "delivered";
    }
    if (delivered == 0) {
      return bounced > 0 ? "bounced" : "failed";
    }
    return "partially_delivered";
  }
}
