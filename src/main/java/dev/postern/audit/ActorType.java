package dev.postern.audit;

import java.util.Locale;

/** Who performed an audited action; stored lower-case in {@code audit_log.actor_type}. */
public enum ActorType {
  API_KEY, ADMIN, SYSTEM;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }
}
