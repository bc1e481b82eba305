package dev.postern.queue;

import java.util.Locale;

/**
 * One envelope recipient's status (SPEC §6), as stored in {@code outbound_recipients.status}:
 * {@link #wire()} is the stored string, and also the type of the event that reports it.
 */
public enum RecipientStatus {
  QUEUED, SCHEDULED, SENDING, DELIVERED, DEFERRED, BOUNCED, FAILED, SANDBOXED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }

  /** Still wants an attempt. */
  public boolean pending() {
    return this == QUEUED || this == SCHEDULED || this == DEFERRED || this == SENDING;
  }

  public static RecipientStatus fromWire(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
