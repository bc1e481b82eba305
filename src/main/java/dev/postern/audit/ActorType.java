package dev.postern.audit;

import java.util.Locale;

/** Who performed an audited action; stored lower-case in {@code audit_log.actor_type}. */
public enum ActorType {
  API_KEY, ADMIN, SYSTEM;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
