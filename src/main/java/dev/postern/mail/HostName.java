package dev.postern.mail;

import java.net.IDN;
import java.util.Locale;

/**
 * The one host-name rule shared by envelope addresses ({@link EmailAddress}) and the domains an
 * operator registers ({@code domains.DomainName}): IDNA to ASCII (RFC 5890, STD3 rules), lower
 * case, then RFC 1035 §2.3.1 / RFC 1123 §2.1 — at least two labels of 1–63 letters, digits and
 * inner hyphens, at most 253 characters, and a top-level label that is not all digits (so an IP
 * address is not a host name).
 */
public final class HostName {

  /** Exactly one of {@code ascii} (normalised) and {@code problem} is set. */
  public record Checked(String ascii, String problem) {
    public boolean valid() {
      return ascii != null;
    }
  }

  private HostName() {}

  /** {@code text} already stripped of whitespace by the caller; no trailing-dot handling here. */
  public static Checked check(String text) {
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
      if (!isLdhLabel(label)) {
        return problem("labels may hold only letters, digits and inner hyphens");
      }
    }
    if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
      return problem("the top-level label must not be all digits");
    }
    return new Checked(ascii, null);
  }

  private static boolean isLdhLabel(String label) {
    if (label.startsWith("-") || label.endsWith("-")) {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static Checked problem(String message) {
    return new Checked(null, message);
  }
}
