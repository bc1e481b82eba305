package dev.postern.send;

import dev.postern.mail.EmailAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * How each kind of user-supplied header content is written: unstructured text (Subject and
 * custom values, RFC 5322 §3.2.5) and mailbox lists (RFC 5322 §3.4). Anything that is not
 * plain printable ASCII, or that a decoder could mistake for an encoded word, becomes RFC 2047
 * encoded words, so what the recipient decodes is exactly what the client sent.
 */
final class HeaderValues {

  /** Longest whitespace-free run written verbatim; longer runs are encoded so lines stay short. */
  private static final int MAX_PLAIN_RUN = 70;
  /** Longest display name written as atoms or a quoted string; longer ones are encoded. */
  private static final int MAX_PLAIN_NAME = 64;

  private HeaderValues() {}

  /** A Subject-like field that must round-trip exactly. */
  static String unstructured(String name, String value) {
    HeaderFolder field = new HeaderFolder(name);
    if (value.isEmpty()) {
      return field.end();
    }
    if (isPlain(value)) {
      return field.verbatim(value).end();
    }
    return field.tokens(EncodedWords.encode(value, field.firstBudget())).end();
  }

  /** A custom header: ASCII values as given (already validated), others encoded. */
  static String custom(String name, String value) {
    HeaderFolder field = new HeaderFolder(name);
    if (isPrintableAsciiOrWsp(value)) {
      return field.verbatim(value).end();
    }
    return field.tokens(EncodedWords.encode(value, field.firstBudget())).end();
  }

  /** A mailbox-list field: {@code Name <addr>, "Other, Name" <addr>, =?UTF-8?B?…?= <addr>}. */
  static String mailboxes(String name, List<EmailAddress> addresses) {
    HeaderFolder field = new HeaderFolder(name);
    for (int i = 0; i < addresses.size(); i++) {
      EmailAddress a = addresses.get(i);
      String comma = i < addresses.size() - 1 ? "," : "";
      if (a.displayName() == null) {
        field.token(a.address() + comma);
        continue;
      }
      field.tokens(phrase(a.displayName(), field.firstBudget()));
      field.token("<" + a.address() + ">" + comma);
    }
    return field.end();
  }

  /** RFC 5322 §3.2.5 phrase: atoms, a quoted-string, or encoded words (RFC 2047 §5 (3)). */
  static List<String> phrase(String displayName, int firstBudget) {
    boolean plain = displayName.length() <= MAX_PLAIN_NAME
        && !EncodedWords.looksEncoded(displayName)
        && displayName.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    if (plain && EmailAddress.isPhraseOfAtoms(displayName)) {
      return List.of(displayName);
    }
    if (plain) {
      return List.of(EmailAddress.quoted(displayName));
    }
    return new ArrayList<>(EncodedWords.encode(displayName, firstBudget));
  }

  /** Printable ASCII words separated by single spaces, short enough to fold, no "=?". */
  static boolean isPlain(String value) {
    if (value.startsWith(" ") || value.endsWith(" ") || value.contains("  ")
        || EncodedWords.looksEncoded(value)) {
      return false;
    }
    int run = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
      run = c == ' ' ? 0 : run + 1;
      if (run > MAX_PLAIN_RUN) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPrintableAsciiOrWsp(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
