package dev.postern.mailboxes;

import dev.postern.domains.DomainName;

/**
 * Validates a mailbox address: a dot-atom local part (RFC 5322 §3.4.1, ASCII; quoted local
 * parts are refused) of at most 64 octets (RFC 5321 §4.5.3.1.1), a valid domain, at most 254
 * characters in all (RFC 5321 §4.5.3.1.3 path limit less the angle brackets). The domain is
 * normalised ({@link DomainName}); the local part keeps its case.
 */
public final class MailboxAddress {

  /** Exactly one of {@code address} and {@code problem} is set. */
  public record Parsed(String address, String localPart, String domain, String problem) {
    public boolean valid() {
      return address != null;
    }
  }

  private static final String ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";

  private MailboxAddress() {}

  public static Parsed parse(String raw) {
    if (raw == null || raw.isBlank()) {
      return problem("is required");
    }
    if (raw.length() > 1024) {
      return problem("must be at most 254 characters");
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\r' || c == '\n' || c == '\u0000' || c == '\u2028' || c == '\u2029'
          || Character.isISOControl(c)) {
        return problem("must not contain CR, LF, NUL or other control characters");
      }
    }
    String text = raw.trim();
    int at = text.lastIndexOf('@');
    if (at <= 0 || at == text.length() - 1) {
      return problem("must be an address like name@example.com");
    }
    String local = text.substring(0, at);
    if (local.length() > 64) {
      return problem("the local part must be at most 64 characters");
    }
    if (!local.matches(ATOM + "(?:\\." + ATOM + ")*")) {
      return problem("the local part may hold only letters, digits, dots and !#$%&'*+/=?^_`{|}~-");
    }
    DomainName.Parsed domain = DomainName.parse(text.substring(at + 1));
    if (!domain.valid()) {
      return problem("domain " + domain.problem());
    }
    String address = local + "@" + domain.name();
    if (address.length() > 254) {
      return problem("must be at most 254 characters");
    }
    return new Parsed(address, local, domain.name(), null);
  }

  private static Parsed problem(String message) {
    return new Parsed(null, null, null, message);
  }
}
