package dev.postern.domains;

import dev.postern.mail.HostName;

/**
 * Validates and normalises a domain name as an operator types it: trimmed, one trailing dot
 * dropped, then the host-name rule every address shares ({@link HostName}: IDNA, LDH labels,
 * at least two, not an IP address).
 */
public final class DomainName {

  /** Exactly one of {@code name} (normalised) and {@code problem} is set. */
  public record Parsed(String name, String problem) {
    public boolean valid() {
      return name != null;
    }
  }

  private DomainName() {}

  public static Parsed parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return problem("is required");
    }
    String text = raw.trim();
    if (text.length() > 1024) {
      return problem("must be at most 253 characters");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c) || c == '\u2028' || c == '\u2029') {
        return problem("must not contain whitespace or control characters (CR, LF, NUL)");
      }
    }
    if (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1);
    }
    HostName.Checked host = HostName.check(text);
    return host.valid() ? new Parsed(host.ascii(), null) : problem(host.problem());
  }

  private static Parsed problem(String message) {
    return new Parsed(null, message);
  }
}
