package dev.postern.send;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * The send path's question to the mail store (issue #13.8): does this gateway host the mailbox
 * an address names? Implemented over the MX's cached recipient resolution
 * ({@code inbound.accept.RecipientResolver}), so local delivery and the MX agree on every
 * address, and a hot sender's recipients cost no query per message.
 */
public interface LocalMailboxes {

  /** Where mail for one address goes. */
  sealed interface Route permits Remote, Hosted, Refused {}

  /** A domain this gateway does not host: the relays' business. */
  record Remote() implements Route {}

  /**
   * A hosted mailbox.
   *
   * @param encrypted the mailbox is {@code standard} tier (bodies only as OpenPGP)
   * @param tag the sub-address kept from {@code bot+tag@}, or null
   * @param exact the address is the mailbox's own (no tag, not a catch-all)
   */
  record Hosted(UUID mailboxId, String mailboxAddress, boolean encrypted, String tag,
      boolean exact) implements Route {}

  /**
   * A hosted domain that will not take the mail, for good: the recipient bounces at once with
   * {@code reply} (an SMTP reply line, e.g. {@code 550 5.1.1 …}), as a relay's 5xx would.
   */
  record Refused(String reply) implements Route {}

  Remote REMOTE = new Remote();

  /** Everything is remote: no mailbox is hosted (tests and tools that send only). */
  LocalMailboxes NONE = address -> Future.succeededFuture(REMOTE);

  /** Fails only when the answer cannot be had (database unreachable); refusals are routes. */
  Future<Route> route(String address);
}
