package dev.postern.delivery;

import dev.postern.delivery.smtp.RecipientResult;
import dev.postern.delivery.smtp.Verdict;
import dev.postern.queue.Claim;
import dev.postern.queue.MessageStatus;
import dev.postern.queue.RecipientStatus;
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
    return of(claim, List.of(), attempt, policy, now);
  }

  /**
   * @param local recipients settled by the gateway itself (local delivery of claimed mail,
   *     {@link ClaimedLocalDelivery}): {@code delivered} or {@code bounced} with their reply,
   *     their events before the relay's and naming no relay
   */
  public static Settlement of(Claim claim, List<RecipientResult> local, RelayAttempt attempt,
      RetryPolicy policy, Instant now) {
    Duration retryIn = null;
    boolean anyTransient = attempt.recipients().stream()
        .anyMatch(r -> r.verdict() == Verdict.TRANSIENT);
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
    for (RecipientResult r : local) {
      RecipientStatus status = r.verdict() == Verdict.DELIVERED ? RecipientStatus.DELIVERED
          : RecipientStatus.BOUNCED;
      updates.add(new RecipientUpdate(r.address(), status, r.reply()));
      events.add(new Event(status.wire(), r.address(), null, r.reply()));
    }
    for (RecipientResult r : attempt.recipients()) {
      RecipientStatus status = switch (r.verdict()) {
        case DELIVERED -> RecipientStatus.DELIVERED;
        case PERMANENT -> RecipientStatus.BOUNCED;
        case TRANSIENT -> giveUp ? RecipientStatus.FAILED : RecipientStatus.DEFERRED;
      };
      if (r.verdict() == Verdict.TRANSIENT) {
        lastError = r.reply();
      }
      updates.add(new RecipientUpdate(r.address(), status, r.reply()));
      events.add(new Event(status.wire(), r.address(), attempt.relay(), r.reply()));
    }
    MessageStatus status = messageStatus(claim, updates);
    return new Settlement(claim.messageId(), updates, events, status,
        status == MessageStatus.DEFERRED ? retryIn : null, lastError);
  }

  /** A test-mode message that somehow has a queue row: never relayed, just marked. */
  public static Settlement sandboxed(Claim claim) {
    List<RecipientUpdate> updates = claim.pendingRecipients().stream()
        .map(a -> new RecipientUpdate(a, RecipientStatus.SANDBOXED, null)).toList();
    return new Settlement(claim.messageId(), updates,
        List.of(new Event(RecipientStatus.SANDBOXED.wire(), null, null, "test mode: not relayed")),
        MessageStatus.SANDBOXED, null, null);
  }

  static MessageStatus messageStatus(Claim claim, List<RecipientUpdate> updates) {
    Map<String, RecipientStatus> statuses = new HashMap<>();
    for (int i = 0; i < claim.addresses().size(); i++) {
      statuses.put(claim.addresses().get(i), claim.statuses().get(i));
    }
    updates.forEach(u -> statuses.put(u.address(), u.status()));
    return derive(statuses.values());
  }

  static MessageStatus derive(Iterable<RecipientStatus> recipientStatuses) {
    int total = 0;
    int delivered = 0;
    int bounced = 0;
    int sandboxed = 0;
    boolean pending = false;
    for (RecipientStatus s : recipientStatuses) {
      total++;
      switch (s) {
        case DELIVERED -> delivered++;
        case BOUNCED -> bounced++;
        case SANDBOXED -> sandboxed++;
        case FAILED -> { }
        case QUEUED, SCHEDULED, SENDING, DEFERRED -> pending = true;
      }
    }
    if (pending) {
      return MessageStatus.DEFERRED;
    }
    if (sandboxed == total) {
      return MessageStatus.SANDBOXED;
    }
    if (delivered == total) {
      return MessageStatus.DELIVERED;
    }
    if (delivered == 0) {
      return bounced > 0 ? MessageStatus.BOUNCED : MessageStatus.FAILED;
    }
    return MessageStatus.PARTIALLY_DELIVERED;
  }
}
