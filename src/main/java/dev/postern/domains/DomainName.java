package dev.postern.domains;

import java.net.IDN;
import java.util.Locale;

/**
 * Validates and normalises a domain name as an operator types it: trimmed, one trailing dot
 * dropped, internationalised labels converted to punycode (IDNA, STD3 rules), lower-cased; then
 * RFC 1035 §2.3.1 / RFC 1123 §2.1 hostname rules: at least two labels of 1–63 letters, digits and
 * inner hyphens, at most 253 characters, and a top-level label that is not all digits (so an IP
 * address is not a domain).
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
    String ascii;
    try {
      ascii = IDN.toASCII(text, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return problem("is not a valid domain name");
    }
    if (ascii.length() > 253) {
      return problem("must be at most 253 characters");
    }
    String[] labels = ascii.split("\\.", -1);
    if (labels.length < 2) {
      return problem("must have at least two labels (e.g. example.com)");
    }
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63) {
        return problem("each label must be 1–63 characters");
      }
      if (!label.matches("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")) {
        return problem("labels may hold only letters, digits and inner hyphens");
      }
    }
    if (labels[labels.length - 1].matches("[0-9]+")) {
      return problem("the top-level label must not be all digits");
    }
    return new Parsed(ascii, null);
  }

  private static Parsed problem(String message) {
    return new Parsed(null, message);
  }
}
