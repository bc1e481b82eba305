package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.delivery.smtp.RecipientResult;
import dev.postern.delivery.smtp.Verdict;
import dev.postern.queue.Claim;
import dev.postern.queue.MessageStatus;
import dev.postern.queue.RecipientStatus;
import dev.postern.queue.RetryPolicy;
import dev.postern.queue.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveryOutcomeTest {

  private final Instant now = Instant.parse("2026-11-22T10:00:00Z");
  private final RetryPolicy retries = new RetryPolicy(Duration.ofMinutes(1), Duration.ofHours(1),
      Duration.ofHours(48), () -> 0.5);

  private Claim claim(Instant firstQueued, List<String> addresses, List<String> statuses) {
    return new Claim(UUID.randomUUID(), 0, firstQueued, "live", "s@example.com", "<m@example.com>",
        UUID.randomUUID(), null, "k", 10, addresses, statuses(statuses));
  }

  private static List<RecipientStatus> statuses(List<String> wire) {
    return wire.stream().map(RecipientStatus::fromWire).toList();
  }

  private static RecipientResult r(String address, Verdict verdict, String reply) {
    return new RecipientResult(address, verdict, reply);
  }

  @Test
  void allAcceptedIsDeliveredWithASentEventAndNoRetry() {
    Claim c = claim(now, List.of("a@x", "b@x"), List.of("queued", "queued"));
    Settlement s = DeliveryOutcome.of(c, new RelayAttempt("r1", List.of(
        r("a@x", Verdict.DELIVERED, "250 ok"), r("b@x", Verdict.DELIVERED, "250 ok")), true, "250 ok"),
        retries, now);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.DELIVERED);
    assertThat(s.finished()).isTrue();
    assertThat(s.events()).extracting(Settlement.Event::type).containsExactly("sent", "delivered", "delivered");
  }

  @Test
  void aTransientRecipientDefersTheMessageWithBackoff() {
    Claim c = claim(now, List.of("a@x", "b@x"), List.of("queued", "queued"));
    Settlement s = DeliveryOutcome.of(c, new RelayAttempt("r1", List.of(
        r("a@x", Verdict.DELIVERED, "250 ok"), r("b@x", Verdict.TRANSIENT, "451 later")), true, "250 ok"),
        retries, now);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.DEFERRED);
    assertThat(s.retryIn()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.lastError()).isEqualTo("451 later");
  }

  @Test
  void pastTheHorizonTransientBecomesFailed() {
    Claim c = claim(now.minus(Duration.ofHours(49)), List.of("a@x"), List.of("deferred"));
    Settlement s = DeliveryOutcome.of(c, RelayAttempt.allFailed("r1", List.of("a@x"), Verdict.TRANSIENT,
        "451 still down"), retries, now);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.FAILED);
    assertThat(s.finished()).isTrue();
    assertThat(s.recipients()).singleElement().extracting(Settlement.RecipientUpdate::status).isEqualTo(RecipientStatus.FAILED);
  }

  @Test
  void earlierDeliveredRecipientsCountTowardsTheMessageStatus() {
    Claim c = claim(now, List.of("a@x", "b@x"), List.of("delivered", "deferred"));
    Settlement s = DeliveryOutcome.of(c, new RelayAttempt("r1", List.of(
        r("b@x", Verdict.PERMANENT, "550 no such user")), false, null), retries, now);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.PARTIALLY_DELIVERED);
    assertThat(s.finished()).isTrue();
  }

  @Test
  void statusRule() {
    assertThat(DeliveryOutcome.derive(statuses(List.of("delivered", "delivered")))).isEqualTo(MessageStatus.DELIVERED);
    assertThat(DeliveryOutcome.derive(statuses(List.of("delivered", "deferred")))).isEqualTo(MessageStatus.DEFERRED);
    assertThat(DeliveryOutcome.derive(statuses(List.of("bounced", "failed")))).isEqualTo(MessageStatus.BOUNCED);
    assertThat(DeliveryOutcome.derive(statuses(List.of("failed")))).isEqualTo(MessageStatus.FAILED);
    assertThat(DeliveryOutcome.derive(statuses(List.of("delivered", "failed")))).isEqualTo(MessageStatus.PARTIALLY_DELIVERED);
    assertThat(DeliveryOutcome.derive(statuses(List.of("sandboxed")))).isEqualTo(MessageStatus.SANDBOXED);
  }

  @Test
  void sandboxMessagesAreMarkedNotRelayed() {
    Claim c = claim(now, List.of("a@x"), List.of("sandboxed"));
    Settlement s = DeliveryOutcome.sandboxed(c);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.SANDBOXED);
    assertThat(s.finished()).isTrue();
  }

  @Test
  void recipientsSettledLocallyComeFirstNameNoRelayAndCountTowardsTheStatus() {
    Claim c = claim(now, List.of("a@x", "b@x", "c@x"), List.of("scheduled", "scheduled", "scheduled"));
    Settlement s = DeliveryOutcome.of(c, List.of(r("a@x", Verdict.DELIVERED, "250 2.0.0 filed locally"),
            r("b@x", Verdict.PERMANENT, "550 5.1.1 no such mailbox here")),
        new RelayAttempt("r1", List.of(r("c@x", Verdict.TRANSIENT, "451 later")), false, null),
        retries, now);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.DEFERRED);
    assertThat(s.retryIn()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.recipients()).extracting(Settlement.RecipientUpdate::status)
        .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.BOUNCED, RecipientStatus.DEFERRED);
    assertThat(s.events()).extracting(Settlement.Event::type)
        .containsExactly("delivered", "bounced", "deferred");
    assertThat(s.events()).extracting(Settlement.Event::relay).containsExactly(null, null, "r1");
  }

  @Test
  void mailForHostedMailboxesOnlyIsFinishedWithNoRelayAttempt() {
    Claim c = claim(now, List.of("a@x"), List.of("scheduled"));
    Settlement s = DeliveryOutcome.of(c, List.of(r("a@x", Verdict.DELIVERED, "250 2.0.0 filed locally")),
        new RelayAttempt(null, List.of(), false, null), retries, now);
    assertThat(s.messageStatus()).isEqualTo(MessageStatus.DELIVERED);
    assertThat(s.finished()).isTrue();
  }
}
