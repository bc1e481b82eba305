package dev.postern.queue;

import java.util.Locale;

/**
 * An outbound message's status (SPEC §6), as stored in {@code outbound_messages.status} and shown
 * by the API: {@link #wire()} is the stored and shown string.
 */
public enum MessageStatus {
  QUEUED, SCHEDULED, SENDING, DELIVERED, DEFERRED, BOUNCED, FAILED, SANDBOXED, PARTIALLY_DELIVERED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }

  /** The status its recipients start with; the first event has the same name. */
  public RecipientStatus initialRecipientStatus() {
    return RecipientStatus.fromWire(wire);
  }
}
