package dev.postern.inbound.accept;

import dev.postern.mailboxes.EncryptionTier;
import dev.postern.refusal.Refusal;
import dev.postern.send.LocalMailboxes;
import io.vertx.core.Future;

/**
 * The send path's local routing (issue #13.8) answered by the MX's {@link RecipientResolver}
 * (cached), so an address is hosted, unknown or foreign alike for both:
 * <ul>
 *   <li>a hosted mailbox (exact, {@code +tag}, catch-all) → filed locally;</li>
 *   <li>unknown at a hosted domain → bounced {@code 550 5.1.1}, the MX's RCPT answer;</li>
 *   <li>a mailbox over its storage quota → bounced {@code 552 5.2.2}. The MX answers
 *       {@code 452 4.2.2} at RCPT so the sending MTA retries; here the gateway itself is that
 *       MTA, and, as Postfix's local(8) delivery does for a full mailbox, it bounces rather than
 *       keep a queue of mail for it (RFC 3463 X.2.2 "mailbox full");</li>
 *   <li>a domain not hosted here → the relays.</li>
 * </ul>
 */
public final class LocalRoutes implements LocalMailboxes {

  static final String UNKNOWN = "550 5.1.1 no such mailbox here";
  static final String FULL = "552 5.2.2 mailbox full";

  private final RecipientResolver resolver;

  public LocalRoutes(RecipientResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public Future<Route> route(String address) {
    return resolver.resolve(address).<Route>map(r -> new Hosted(r.mailboxId(), r.mailboxAddress(),
            r.tier() == EncryptionTier.STANDARD, r.tag(), !r.catchAll() && r.tag() == null
                && r.mailboxAddress().equalsIgnoreCase(address)))
        .recover(e -> {
          if (!(e instanceof Refusal refusal)) {
            return Future.failedFuture(e);
          }
          return switch (refusal.reason()) {
            case RELAY_DENIED -> Future.succeededFuture(REMOTE);
            case RECIPIENT_UNKNOWN -> Future.succeededFuture(new Refused(UNKNOWN));
            case MAILBOX_FULL -> Future.succeededFuture(new Refused(FULL));
            default -> Future.failedFuture(e);
          };
        });
  }
}
