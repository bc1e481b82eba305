package dev.postern.smtp.session;

import io.vertx.core.Future;

/**
 * Whether the MX takes mail for one recipient (implemented over
 * {@code inbound.accept.RecipientResolver} by the composition root). Succeeds for a hosted
 * mailbox (a sub-address or the domain's catch-all included); fails with a
 * {@code refusal.Refusal} — {@code RECIPIENT_UNKNOWN}, {@code RELAY_DENIED}, {@code MAILBOX_FULL}
 * — or with a dependency failure when the database is unreachable.
 */
@FunctionalInterface
public interface RecipientCheck {
  Future<Void> check(String recipient);
}
