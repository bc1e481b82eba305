package dev.postern.keys;

import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.WildcardPermissionBasedAuthorization;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Scope lists of API keys (SPEC §2 "Scopes"): validation, preset expansion, and the bridge to
 * vertx-auth-common, where each granted scope becomes a {@link WildcardPermissionBasedAuthorization}
 * on the {@link User} and a guard asks {@code Scope.X.authorization().match(user)}.
 *
 * <p>Accepted entries: the concrete scopes of {@link Scope}; {@code <resource>:*} for a known
 * resource; {@code *}; and the presets {@code send_only}, {@code read_only}, {@code full_access},
 * which expand in place. Everything else is refused, notably shapes the wildcard matcher would
 * read more broadly than intended: a bare {@code emails} (it implies {@code emails:anything}),
 * {@code emails:send,read} (comma = "any of"), {@code *:read}, extra parts, other cases.
 */
public final class Scopes {

  /** Provider id under which a key's scopes sit in {@link User#authorizations()}. */
  public static final String PROVIDER_ID = "postern-api-key";
  public static final String WILDCARD = "*";
  public static final String DEFAULT_PRESET = "send_only";

  /** Preset name → its expansion (SPEC §2). */
  public static final Map<String, List<String>> PRESETS = Map.of(
      "send_only", List.of(Scope.EMAILS_SEND.wire()),
      "read_only", List.of(Scope.INBOX_READ.wire()),
      "full_access", List.of(Scope.EMAILS_SEND.wire(), Scope.EMAILS_READ.wire(),
          Scope.INBOX_READ.wire(), Scope.INBOX_WRITE.wire()));

  /** Entries longer than this are refused without looking further, and shown truncated. */
  private static final int MAX_ENTRY_LENGTH = 64;
  private static final int MAX_ENTRIES = 64;

  private Scopes() {}

  /** The scopes of a key created without any: the {@code send_only} preset. */
  public static List<String> defaults() {
    return PRESETS.get(DEFAULT_PRESET);
  }

  /**
   * Validates a requested list and returns it normalised: presets expanded, duplicates removed,
   * order kept. An empty list is valid and grants nothing (such a key reaches only {@code _ping}).
   *
   * @throws InvalidScopeException naming every refused entry
   */
  public static List<String> parse(List<String> requested) {
    Objects.requireNonNull(requested, "requested");
    if (requested.size() > MAX_ENTRIES) {
      throw new InvalidScopeException(List.of(), "at most " + MAX_ENTRIES + " scopes");
    }
    Set<String> normalised = new LinkedHashSet<>();
    List<String> refused = new ArrayList<>();
    for (String entry : requested) {
      List<String> preset = entry == null ? null : PRESETS.get(entry);
      if (preset != null) {
        normalised.addAll(preset);
      } else if (isGrantable(entry)) {
        normalised.add(entry);
      } else {
        refused.add(printable(entry));
      }
    }
    if (!refused.isEmpty()) {
      throw new InvalidScopeException(refused, "unknown scope "
          + String.join(", ", refused.stream().map(e -> "'" + e + "'").toList()));
    }
    return List.copyOf(normalised);
  }

  /** True for a concrete scope, {@code <known resource>:*} or {@code *}; presets excluded. */
  public static boolean isGrantable(String entry) {
    if (entry == null || entry.length() > MAX_ENTRY_LENGTH) {
      return false;
    }
    if (WILDCARD.equals(entry) || Scope.fromWire(entry).isPresent()) {
      return true;
    }
    return entry.endsWith(":*") && Scope.isResource(entry.substring(0, entry.length() - 2));
  }

  /**
   * One authorization per granted scope.
   *
   * @throws InvalidScopeException if an entry is not grantable (e.g. a corrupted stored row):
   *     failing loudly beats the wildcard matcher reading a malformed entry too broadly
   */
  public static Set<Authorization> toAuthorizations(List<String> granted) {
    Set<Authorization> authorizations = new LinkedHashSet<>();
    for (String scope : parse(granted)) {
      authorizations.add(WildcardPermissionBasedAuthorization.create(scope));
    }
    return Set.copyOf(authorizations);
  }

  /** Puts the key's scopes on the user under {@link #PROVIDER_ID}, replacing earlier ones. */
  public static User attach(User user, List<String> granted) {
    user.authorizations().put(PROVIDER_ID, toAuthorizations(granted));
    return user;
  }

  /** Does the user (carrying a key's scopes) hold the required scope? */
  public static boolean grants(User user, Scope required) {
    return required.authorization().match(user);
  }

  /**
   * As {@link #grants(User, Scope)} for the API spelling of a concrete scope.
   *
   * @throws IllegalArgumentException if {@code required} is not a concrete scope
   */
  public static boolean grants(User user, String required) {
    Scope scope = Scope.fromWire(required).orElseThrow(() ->
        new IllegalArgumentException("not a concrete scope: '" + printable(required) + "'"));
    return grants(user, scope);
  }

  /** User input echoed in errors: bounded length, control and non-ASCII characters escaped. */
  private static String printable(String entry) {
    if (entry == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    int limit = Math.min(entry.length(), MAX_ENTRY_LENGTH);
    for (int i = 0; i < limit; i++) {
      char c = entry.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '\'') {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return entry.length() > limit ? out.append('…').toString() : out.toString();
  }

  /** A scope list the API refuses: 400 {@code validation_error} naming {@link #entries()}. */
  public static final class InvalidScopeException extends IllegalArgumentException {
    private final List<String> entries;

    InvalidScopeException(List<String> entries, String message) {
      super(message);
      this.entries = List.copyOf(entries);
    }

    /** The refused entries, already made printable (bounded, control characters escaped). */
    public List<String> entries() {
      return entries;
    }
  }
}
