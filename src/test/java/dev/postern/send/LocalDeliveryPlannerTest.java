package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.mail.EmailAddress;
import dev.postern.queue.MessageStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The routing decisions of local delivery (issue #13.8), over a table of hosted addresses. */
class LocalDeliveryPlannerTest {

  static final UUID ALICE = UUID.randomUUID();
  static final UUID BOB = UUID.randomUUID();
  static final UUID SEALED = UUID.randomUUID();

  /** A fixed routing table: our own port's answers, no database involved. */
  static final LocalMailboxes TABLE = address -> Future.succeededFuture(switch (address.toLowerCase()) {
    case "alice@h.test" -> new LocalMailboxes.Hosted(ALICE, "alice@h.test", false, null, true);
    case "bob@h.test" -> new LocalMailboxes.Hosted(BOB, "bob@h.test", false, null, true);
    case "bob+news@h.test" -> new LocalMailboxes.Hosted(BOB, "bob@h.test", false, "news", false);
    case "sealed@h.test" -> new LocalMailboxes.Hosted(SEALED, "sealed@h.test", true, null, true);
    case "full@h.test" -> new LocalMailboxes.Refused("552 5.2.2 mailbox full");
    case "nobody@h.test" -> new LocalMailboxes.Refused("550 5.1.1 no such mailbox here");
    default -> LocalMailboxes.REMOTE;
  });

  final List<String> events = new ArrayList<>();
  final LocalDeliveryPlanner planner = new LocalDeliveryPlanner(TABLE,
      (type, id, recipient, reply) -> events.add(type + " " + recipient), () -> events.add("wake"));

  static Submission submission(String from, String... to) {
    List<OutboundMessage.Recipient> recipients = new ArrayList<>();
    for (String t : to) {
      recipients.add(new OutboundMessage.Recipient(t, "to"));
    }
    return new Submission(EmailAddress.parse(from), EmailAddress.parse(from).address(), recipients,
        new Submission.HeaderSummary(from, List.of(to), List.of(), List.of(), List.of(), "s", List.of(),
            Optional.of("<parent@x.test>"), List.of("<root@x.test>", "<parent@x.test>")),
        Optional.empty(), new MimeSource.Streamed(null, null, null, "<m@h.test>", true));
  }

  LocalPlan plan(Submission s) {
    return planner.plan(s).toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void hostedRecipientsAreFiledOncePerMailboxRefusedOnesSettledRemoteOnesLeft() {
    Submission s = submission("Alice <alice@h.test>", "bob@h.test", "BOB+news@h.test",
        "nobody@h.test", "carol@remote.test");
    LocalPlan plan = plan(s);
    assertThat(plan.filings()).containsExactly(
        new LocalPlan.Filing(BOB, "bob@h.test", null, "inbox", false),
        new LocalPlan.Filing(ALICE, "alice@h.test", null, "sent", false));
    assertThat(plan.settledReply("bob+news@h.test")).isEqualTo(LocalPlan.FILED);
    assertThat(plan.settledReply("nobody@h.test")).startsWith("550 5.1.1");
    assertThat(plan.settledReply("carol@remote.test")).isNull();
    assertThat(plan.leavesForRelays(s.recipients())).isTrue();
  }

  @Test
  void withNothingLeftForRelaysTheStatusIsFinal() {
    Submission all = submission("alice@h.test", "bob@h.test");
    assertThat(plan(all).leavesForRelays(all.recipients())).isFalse();
    assertThat(plan(all).settledStatus(all.recipients())).isEqualTo(MessageStatus.DELIVERED);
    Submission some = submission("alice@h.test", "bob@h.test", "full@h.test");
    assertThat(plan(some).settledStatus(some.recipients())).isEqualTo(MessageStatus.PARTIALLY_DELIVERED);
    Submission none = submission("alice@h.test", "nobody@h.test");
    assertThat(plan(none).settledStatus(none.recipients())).isEqualTo(MessageStatus.BOUNCED);
  }

  @Test
  void onlyTheMailboxsOwnAddressGetsASentCopyAndForeignMailHasNoPlan() {
    assertThat(plan(submission("bob+news@h.test", "carol@remote.test"))).isEqualTo(LocalPlan.NONE);
    assertThat(plan(submission("noreply@h.test", "carol@remote.test"))).isEqualTo(LocalPlan.NONE);
    assertThat(plan(submission("bob@h.test", "carol@remote.test")).filings())
        .containsExactly(new LocalPlan.Filing(BOB, "bob@h.test", null, "sent", false));
  }

  @Test
  void announcesSettledRecipientsAndWakesFilingOnce() {
    Submission s = submission("alice@h.test", "bob@h.test", "nobody@h.test", "carol@remote.test");
    LocalPlan plan = plan(s);
    OutboundMessage m = new OutboundMessage(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
        null, "live", "api", "<m@h.test>", "alice@h.test", "alice@h.test", List.of(), List.of(),
        List.of(), List.of(), "s", new JsonArray(), null, MessageStatus.QUEUED, null, "k", 1,
        new byte[32], null, s.recipients(), true, Instant.now(), plan);
    planner.announce(List.of(m, m));
    assertThat(events).containsExactly("email.delivered bob@h.test", "email.bounced nobody@h.test",
        "email.delivered bob@h.test", "email.bounced nobody@h.test", "wake");
  }

  @Test
  void clearFactsHoldHeaderFactsWithoutAngleBracketsAndNoSubject() {
    JsonObject facts = LocalDeliveryPlanner.clearFacts(
        submission("Alice <alice@h.test>", "sealed@h.test"), "<m@h.test>",
        Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(facts.getMap()).containsAllEntriesOf(Map.of("message_id", "m@h.test",
        "in_reply_to", "parent@x.test", "from_name", "Alice", "from_address", "alice@h.test",
        "date", "2026-03-01T10:00:00Z"));
    assertThat(facts.getJsonArray("references")).containsExactly("root@x.test", "parent@x.test");
    assertThat(facts.getJsonArray("to")).containsExactly("sealed@h.test");
    assertThat(facts.containsKey("subject")).isFalse();
  }
}
