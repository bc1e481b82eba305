package dev.postern.keys;

import io.vertx.ext.auth.authorization.WildcardPermissionBasedAuthorization;
import java.util.Optional;

/**
 * A concrete {@code resource:action} scope a route can require (SPEC §2 "Scopes"). Wildcards
 * ({@code emails:*}, {@code *}) are things a key can be granted, never things a route requires,
 * so they are not constants here; see {@link Scopes}.
 */
public enum Scope {
  EMAILS_SEND("emails", "send"),
  EMAILS_READ("emails", "read"),
  INBOX_READ("inbox", "read"),
  INBOX_WRITE("inbox", "write"),
  DOMAINS_READ("domains", "read"),
  WEBHOOKS_READ("webhooks", "read"),
  WEBHOOKS_WRITE("webhooks", "write");

  private final String resource;
  private final String action;
  private final String wire;

  Scope(String resource, String action) {
    this.resource = resource;
    this.action = action;
    this.wire = resource + ":" + action;
  }

  public String resource() {
    return resource;
  }

  public String action() {
    return action;
  }

  /** The API spelling, e.g. {@code inbox:read}. */
  public String wire() {
    return wire;
  }

  /** What a route guard checks: {@code Scope.INBOX_READ.authorization().match(user)}. */
  public WildcardPermissionBasedAuthorization authorization() {
    return WildcardPermissionBasedAuthorization.create(wire);
  }

  /** Exact, case-sensitive lookup; wildcards and presets are not single scopes. */
  public static Optional<Scope> fromWire(String text) {
    for (Scope scope : values()) {
      if (scope.wire.equals(text)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }

  static boolean isResource(String text) {
    for (Scope scope : values()) {
      if (scope.resource.equals(text)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return wire;
  }
}
