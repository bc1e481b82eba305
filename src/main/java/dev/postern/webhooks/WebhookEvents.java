package dev.postern.webhooks;

import java.util.Set;

/**
 * The event types a webhook can subscribe to (SPEC §6), Resend's names and shape: the payload
 * is {@code {"type": …, "created_at": …, "data": {…}}} where {@code data} carries at least
 * {@code email_id}, {@code from}, {@code to}, {@code subject}, {@code created_at}, plus what the
 * emitter adds (e.g. the relay's reply for a bounce). A webhook whose {@code events} contains
 * {@link #ALL} receives every type.
 */
public final class WebhookEvents {

  /** Accepted by a relay (the relay said 250 to DATA for at least one recipient). */
  public static final String EMAIL_SENT = "email.sent";
  /** Every recipient accepted by the relay. */
  public static final String EMAIL_DELIVERED = "email.delivered";
  /** A temporary failure; another attempt is scheduled. */
  public static final String EMAIL_DEFERRED = "email.deferred";
  /** A permanent failure (5xx) or the retry horizon passed. */
  public static final String EMAIL_BOUNCED = "email.bounced";
  /** Inbound mail stored in a mailbox. */
  public static final String EMAIL_RECEIVED = "email.received";
  /** Subscribes to every event type. */
  public static final String ALL = "*";

  public static final Set<String> TYPES = Set.of(EMAIL_SENT, EMAIL_DELIVERED, EMAIL_DEFERRED,
      EMAIL_BOUNCED, EMAIL_RECEIVED);

  private WebhookEvents() {}

  /** A type a webhook may subscribe to: one of {@link #TYPES}, or {@link #ALL}. */
  public static boolean known(String event) {
    return ALL.equals(event) || TYPES.contains(event);
  }
}
