package dev.postern.keys;

import java.util.Optional;

/** Whether a key sends for real ({@code live}) or only in sandbox ({@code test}), SPEC §2. */
public enum KeyMode {
  LIVE("live"),
  TEST("test");

  private final String wire;

  KeyMode(String wire) {
    this.wire = wire;
  }

  /** The lowercase word used inside keys and in the API ({@code live} / {@code test}). */
  public String wire() {
    return wire;
  }

  /** Exact, case-sensitive lookup of the wire word; anything else is empty. */
  public static Optional<KeyMode> fromWire(String word) {
    for (KeyMode mode : values()) {
      if (mode.wire.equals(word)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
