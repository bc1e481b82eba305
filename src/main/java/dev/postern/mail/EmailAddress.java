package dev.postern.mail;

import java.net.IDN;
import java.util.Objects;

/**
 * One mailbox: an optional display name and an address. Parsed strictly from the subset real
 * senders use ({@link #parse}); {@code domain} is always the lower-case ASCII (punycode) form,
 * which is what the SMTP envelope and the header use (we never emit SMTPUTF8). The display name
 * keeps its Unicode text; the send path's MimeComposer encodes it (RFC 2047).
 *
 * @param displayName the phrase before {@code <addr>}, unquoted and unescaped; null when absent
 * @param localPart   an RFC 5322 §3.2.3 dot-atom, ≤ 64 octets (RFC 5321 §4.5.3.1.1), case kept
 * @param domain      an LDH host name with at least one dot, lower-case ASCII
 */
public record EmailAddress(String displayName, String localPart, String domain) {

  /** RFC 5321 §4.5.3.1.1: local part ≤ 64 octets. */
  public static final int MAX_LOCAL_PART = 64;
  /** RFC 5321 §4.5.3.1.3 path ≤ 256 octets including the angle brackets: address ≤ 254. */
  public static final int MAX_ADDRESS = 254;
  public static final int MAX_DISPLAY_NAME = 256;

  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  public EmailAddress {
    Objects.requireNonNull(localPart, "localPart");
    Objects.requireNonNull(domain, "domain");
  }

  /**
   * Parses {@code local@domain}, {@code Display Name <local@domain>} or
   * {@code "Quoted, Name" <local@domain>}. Quoted local parts, domain literals, comments, groups
   * and non-ASCII local parts are refused: no transactional sender needs them, and each is a
   * known source of parser disagreement between us and the relay.
   *
   * @throws InvalidValue with a reason that does not echo the input
   */
  public static EmailAddress parse(String text) {
    String trimmed = requireText(text);
    if (!trimmed.endsWith(">")) {
      if (trimmed.indexOf('<') >= 0 || trimmed.indexOf('>') >= 0) {
        throw new InvalidValue("has misplaced angle brackets");
      }
      return parseAddress(null, trimmed);
    }
    int open = trimmed.lastIndexOf('<');
    if (open < 0) {
      throw new InvalidValue("has misplaced angle brackets");
    }
    String address = trimmed.substring(open + 1, trimmed.length() - 1);
    if (address.indexOf('<') >= 0 || address.indexOf('>') >= 0) {
      throw new InvalidValue("has misplaced angle brackets");
    }
    return parseAddress(displayName(trimmed.substring(0, open).strip()), address.strip());
  }

  /**
   * Parses a bare {@code local@domain}, without display name or angle brackets (a mailbox's own
   * address); otherwise the rules of {@link #parse}.
   *
   * @throws InvalidValue with a reason that does not echo the input
   */
  public static EmailAddress parseBare(String text) {
    String trimmed = requireText(text);
    if (trimmed.indexOf('<') >= 0 || trimmed.indexOf('>') >= 0) {
      throw new InvalidValue("must be a bare address (local@domain) without a display name");
    }
    return parseAddress(null, trimmed);
  }

  /** {@code local@domain} with the domain in lower-case ASCII: the envelope form. */
  public String address() {
    return localPart + "@" + domain;
  }

  /** The domain in Unicode, for display. */
  public String unicodeDomain() {
    return IDN.toUnicode(domain, IDN.ALLOW_UNASSIGNED);
  }

  /** The same address without a display name. */
  public EmailAddress withoutDisplayName() {
    return new EmailAddress(null, localPart, domain);
  }

  /**
   * The normal form: {@code local@domain}, {@code Name <local@domain>} when the name is atoms and
   * spaces, else {@code "Quoted \"Name\"" <local@domain>}. Not MIME-encoded; see MimeComposer.
   */
  @Override
  public String toString() {
    if (displayName == null) {
      return address();
    }
    return (isPhraseOfAtoms(displayName) ? displayName : quoted(displayName))
        + " <" + address() + ">";
  }

  public static boolean isPhraseOfAtoms(String name) {
    if (name.isEmpty() || name.startsWith(" ") || name.endsWith(" ") || name.contains("  ")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != ' ' && !isAtext(c)) {
        return false;
      }
    }
    return true;
  }

  /** RFC 5322 §3.2.4 quoted-string, for printable ASCII names. */
  public static String quoted(String name) {
    StringBuilder out = new StringBuilder(name.length() + 2).append('"');
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"').toString();
  }

  /** RFC 5322 §3.2.3 atext. */
  public static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || ATEXT_SPECIALS.indexOf(c) >= 0;
  }

  /** The text without surrounding whitespace, once it is known to be safe for a header line. */
  private static String requireText(String text) {
    if (text == null) {
      throw new InvalidValue("is required");
    }
    UnsafeText.requireHeaderSafe(text);
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new InvalidValue("must not be empty");
    }
    return trimmed;
  }

  private static String displayName(String raw) {
    if (raw.isEmpty()) {
      return null;
    }
    String name;
    if (raw.startsWith("\"")) {
      name = unquote(raw);
    } else {
      if (raw.indexOf('"') >= 0) {
        throw new InvalidValue("display name has an unbalanced quote");
      }
      if (raw.indexOf('<') >= 0 || raw.indexOf('>') >= 0) {
        throw new InvalidValue("has misplaced angle brackets");
      }
      name = raw;
    }
    if (name.codePointCount(0, name.length()) > MAX_DISPLAY_NAME) {
      throw new InvalidValue("display name is longer than " + MAX_DISPLAY_NAME + " characters");
    }
    return name.isBlank() ? null : name;
  }

  private static String unquote(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    int i = 1;
    for (; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\') {
        if (++i == raw.length()) {
          break;
        }
        out.append(raw.charAt(i));
      } else if (c == '"') {
        break;
      } else {
        out.append(c);
      }
    }
    if (i != raw.length() - 1) {
      throw new InvalidValue("display name has an unbalanced quote");
    }
    return out.toString();
  }

  private static EmailAddress parseAddress(String displayName, String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      throw new InvalidValue("is not an email address (local@domain)");
    }
    String local = address.substring(0, at);
    String domain = asciiDomain(address.substring(at + 1));
    requireDotAtom(local);
    if (local.length() + 1 + domain.length() > MAX_ADDRESS) {
      throw new InvalidValue("address is longer than " + MAX_ADDRESS + " characters");
    }
    return new EmailAddress(displayName, local, domain);
  }

  private static void requireDotAtom(String local) {
    if (local.length() > MAX_LOCAL_PART) {
      throw new InvalidValue("local part is longer than " + MAX_LOCAL_PART + " characters");
    }
    if (local.startsWith("\"")) {
      throw new InvalidValue("quoted local parts are not supported");
    }
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      throw new InvalidValue("local part has a misplaced dot");
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c != '.' && !isAtext(c)) {
        throw new InvalidValue("local part has a character outside RFC 5322 atext");
      }
    }
  }

  /** The shared host-name rule ({@link HostName}); no domain literals ({@code [192.0.2.1]}). */
  private static String asciiDomain(String domain) {
    if (domain.startsWith("[")) {
      throw new InvalidValue("domain literals are not supported");
    }
    HostName.Checked host = HostName.check(domain);
    if (!host.valid()) {
      throw new InvalidValue("domain is not a valid host name");
    }
    return host.ascii();
  }
}
