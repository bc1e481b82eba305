package dev.postern.webhooks;

import java.util.Set;

/** The event types a webhook may subscribe to (SPEC §6), or {@code *} for all of them. */
public final class WebhookEvents {

  public static final String ALL = "*";
  public static final Set<String> TYPES = Set.of(
      "email.sent", "email.delivered", "email.deferred", "email.bounced", "email.received");

  private WebhookEvents() {}

  public static boolean known(String event) {
    return ALL.equals(event) || TYPES.contains(event);
  }
}
