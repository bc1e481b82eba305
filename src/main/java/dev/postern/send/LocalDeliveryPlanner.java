package dev.postern.send;

import dev.postern.delivery.DeliveryListener;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides, at accept, what of a live message the gateway delivers itself (issue #13.8), as any
 * MTA does for the domains it hosts: each envelope recipient is routed through
 * {@link LocalMailboxes} (cached) —
 * <ul>
 *   <li>a hosted mailbox: filed into its {@code inbox} (one copy per mailbox, whatever the number
 *       of its addresses among the recipients), the recipient {@code delivered} with
 *       {@value LocalPlan#FILED};</li>
 *   <li>a hosted domain refusing the address ({@code 550 5.1.1} unknown, {@code 552 5.2.2}
 *       full): the recipient {@code bounced} with that reply at once;</li>
 *   <li>any other domain: left to the relays, as before.</li>
 * </ul>
 * The sender's copy: when the From address is a hosted mailbox's own address, the message is
 * also filed in that mailbox's {@code sent} folder, where the threader joins it to the
 * conversation it replies to.
 */
public final class LocalDeliveryPlanner {

  private final LocalMailboxes mailboxes;
  private final DeliveryListener events;
  private final Runnable filingWakeup;

  /**
   * @param events told, after the commit, of each recipient settled at accept, as the delivery
   *     path tells it of relayed mail (webhooks {@code email.delivered} / {@code email.bounced})
   * @param filingWakeup run after a commit that created filings (the coalesced
   *     {@code NOTIFY postern_inbound} the MX rings: never inside the transaction)
   */
  LocalDeliveryPlanner(LocalMailboxes mailboxes, DeliveryListener events, Runnable filingWakeup) {
    this.mailboxes = mailboxes;
    this.events = events;
    this.filingWakeup = filingWakeup;
  }

  /** After the commit of {@code messages}: the settled recipients' events, filing woken. */
  void announce(List<OutboundMessage> messages) {
    boolean filings = false;
    for (OutboundMessage m : messages) {
      filings |= !m.local().filings().isEmpty();
      for (OutboundMessage.Recipient r : m.recipients()) {
        String reply = m.local().settledReply(r.address());
        if (reply != null) {
          events.onEvent(LocalPlan.filed(reply) ? "email.delivered" : "email.bounced", m.id(),
              r.address(), reply);
        }
      }
    }
    if (filings) {
      filingWakeup.run();
    }
  }

  /** The plan for a live, unscheduled submission; fails only when routing is unavailable. */
  Future<LocalPlan> plan(Submission submission) {
    return plan(mailboxes, submission.recipients().stream().map(OutboundMessage.Recipient::address)
        .toList(), submission.from().address());
  }

  /**
   * The accept path's routing of a message's recipients, also applied by the delivery path to
   * mail claimed when due (scheduled mail): hosted mailboxes filed into {@code inbox} (one copy
   * per mailbox), refused addresses settled with their reply, the sender's copy into
   * {@code sent} when {@code from} is a hosted mailbox's own address. Fails only when routing
   * is unavailable.
   *
   * @param recipients envelope recipients still to deliver
   * @param from the From address, or null (no sender's copy)
   */
  public static Future<LocalPlan> plan(LocalMailboxes mailboxes, List<String> recipients,
      String from) {
    List<Future<LocalMailboxes.Route>> routes = new ArrayList<>(recipients.size() + 1);
    for (String r : recipients) {
      routes.add(mailboxes.route(r));
    }
    routes.add(from == null ? Future.succeededFuture(LocalMailboxes.REMOTE) : mailboxes.route(from));
    return Future.all(routes).map(done -> {
      List<LocalPlan.Filing> filings = new ArrayList<>();
      Map<String, String> settled = new HashMap<>();
      Set<UUID> filedInbox = new HashSet<>();
      for (int i = 0; i < recipients.size(); i++) {
        String address = recipients.get(i);
        LocalMailboxes.Route route = routes.get(i).result();
        if (route instanceof LocalMailboxes.Hosted h) {
          settled.put(address.toLowerCase(Locale.ROOT), LocalPlan.FILED);
          if (filedInbox.add(h.mailboxId())) {
            filings.add(new LocalPlan.Filing(h.mailboxId(), address, h.tag(), "inbox", h.encrypted()));
          }
        } else if (route instanceof LocalMailboxes.Refused refused) {
          settled.put(address.toLowerCase(Locale.ROOT), refused.reply());
        }
      }
      if (routes.get(recipients.size()).result() instanceof LocalMailboxes.Hosted sender
          && sender.exact()) {
        filings.add(new LocalPlan.Filing(sender.mailboxId(), from, null, "sent",
            sender.encrypted()));
      }
      return filings.isEmpty() && settled.isEmpty() ? LocalPlan.NONE
          : new LocalPlan(filings, settled, null);
    });
  }

  /**
   * The clear facts of a message filed into a {@code standard}-tier mailbox (the filing
   * pipeline's {@code clear_facts}): computed here from what the submission already holds, so
   * nothing is parsed and no body is read; subject and bodies are not among them.
   */
  static JsonObject clearFacts(Submission submission, String messageId, Instant date) {
    JsonArray to = new JsonArray();
    JsonArray cc = new JsonArray();
    for (OutboundMessage.Recipient r : submission.recipients()) {
      if (r.kind().equals("to")) {
        to.add(r.address());
      } else if (r.kind().equals("cc")) {
        cc.add(r.address());
      }
    }
    JsonArray references = new JsonArray();
    submission.headers().references().stream().map(LocalDeliveryPlanner::bare)
        .filter(id -> !id.isEmpty()).forEach(references::add);
    JsonObject facts = new JsonObject()
        .put("message_id", bare(messageId))
        .put("references", references)
        .put("from_address", submission.from().address())
        .put("to", to)
        .put("cc", cc)
        .put("date", date.toString());
    submission.headers().inReplyTo().map(LocalDeliveryPlanner::bare)
        .filter(id -> !id.isEmpty()).ifPresent(id -> facts.put("in_reply_to", id));
    if (submission.from().displayName() != null && !submission.from().displayName().isBlank()) {
      facts.put("from_name", submission.from().displayName());
    }
    return facts;
  }

  /** A msg-id without its angle brackets (RFC 5322 §3.6.4), as the store keeps it. */
  static String bare(String id) {
    String s = id.strip();
    if (s.startsWith("<")) {
      s = s.substring(1);
    }
    if (s.endsWith(">")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.strip();
  }
}
