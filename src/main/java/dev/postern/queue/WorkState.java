package dev.postern.queue;

import java.util.Locale;

/**
 * The state of a row in a work table that keeps finished rows ({@code webhook_deliveries}; the
 * inbound processing queue next): {@link #wire()} is the stored string.
 */
public enum WorkState {
  /** Waiting for its (next) attempt. */
  PENDING,
  /** Done. */
  DELIVERED,
  /** Given up: out of attempts or past the horizon. */
  FAILED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }

  public static WorkState fromWire(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
