package dev.postern.send;

import dev.postern.queue.MessageStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What the gateway does itself with one live message at accept (issue #13.8, SPEC §5 "Local
 * delivery"), committed in the same statement as the message ({@link OutboundInsert}); for
 * scheduled mail, with its pending recipients when it is claimed due ({@link ClaimFilings}):
 * <ul>
 *   <li>{@code filings}: one {@code inbound_deliveries} row per hosted recipient mailbox (folder
 *       {@code inbox}) and, when the sender is a hosted mailbox, one for its copy (folder
 *       {@code sent}); the raw they file is the outbound message itself ({@code outbound_id});</li>
 *   <li>{@code settled}: envelope recipients finished at accept, lower-cased address → the
 *       reply recorded for them: {@value #FILED} for hosted mailboxes, a 5xx line for
 *       recipients refused by a hosted domain (bounced);</li>
 *   <li>{@code clearFacts}: for filings into {@code standard}-tier mailboxes, the header facts
 *       kept readable ({@code {message_id, in_reply_to, references[], from_name, from_address,
 *       to[], cc[], date}}), null when none is encrypted.</li>
 * </ul>
 */
public record LocalPlan(List<Filing> filings, Map<String, String> settled, JsonObject clearFacts) {

  /** The reply recorded for a recipient filed into a hosted mailbox. */
  public static final String FILED = "250 2.0.0 filed locally";

  /** Nothing local: test mode, scheduled mail, or no hosted recipient nor sender. */
  public static final LocalPlan NONE = new LocalPlan(List.of(), Map.of(), null);

  /**
   * One copy to file.
   *
   * @param recipient the envelope recipient it is filed for (the sender's address for a sent copy)
   * @param folder {@code inbox}, or {@code sent} for the sender's copy
   * @param encrypted the mailbox is {@code standard} tier: filed from {@code clearFacts}
   */
  public record Filing(UUID mailboxId, String recipient, String tag, String folder,
      boolean encrypted) {

    /** {@code inbound_raw.source} of the raw this copy is filed from. */
    public String source() {
      return "sent".equals(folder) ? "sent" : "local";
    }
  }

  public LocalPlan {
    filings = List.copyOf(filings);
    settled = Map.copyOf(settled);
  }

  public boolean isEmpty() {
    return filings.isEmpty() && settled.isEmpty();
  }

  /** The reply a recipient was settled with at accept, or null when it goes to the relays. */
  public String settledReply(String address) {
    return settled.get(address.toLowerCase(Locale.ROOT));
  }

  /** Whether the recipient was filed (as opposed to bounced) at accept. */
  public static boolean filed(String reply) {
    return FILED.equals(reply);
  }

  /** Whether some recipient is left for the relays (always, for an empty plan). */
  public boolean leavesForRelays(List<OutboundMessage.Recipient> recipients) {
    return isEmpty() || recipients.stream().anyMatch(r -> settledReply(r.address()) == null);
  }

  /**
   * The message's status when every recipient was settled at accept, as
   * {@code DeliveryOutcome} derives it after an attempt: all filed → delivered, none →
   * bounced, else partially delivered.
   */
  public MessageStatus settledStatus(List<OutboundMessage.Recipient> recipients) {
    long filed = recipients.stream().filter(r -> filed(settledReply(r.address()))).count();
    return filed == recipients.size() ? MessageStatus.DELIVERED
        : filed == 0 ? MessageStatus.BOUNCED : MessageStatus.PARTIALLY_DELIVERED;
  }

  public LocalPlan withClearFacts(JsonObject facts) {
    return new LocalPlan(filings, settled, facts);
  }
}
