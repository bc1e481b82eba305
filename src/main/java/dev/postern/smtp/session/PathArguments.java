package dev.postern.smtp.session;

import dev.postern.mail.EmailAddress;
import dev.postern.mail.InvalidValue;
import dev.postern.smtp.SmtpReplies;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The arguments of MAIL ({@code FROM:<reverse-path> [params]}) and RCPT ({@code TO:<forward-path>
 * [params]}), RFC 5321 §4.1.2 and §4.1.1.11.
 *
 * <p>Tolerated, as Postfix does: a space after the colon and a path without angle brackets.
 * Source routes ({@code <@a,@b:x@y>}, RFC 5321 §4.1.1.3 and Appendix C) are accepted and their
 * route ignored. A path over 256 octets (§4.5.3.1.3) is refused before its address is read.
 */
final class PathArguments {

  /** RFC 5321 §4.5.3.1.3, including the angle brackets. */
  static final int MAX_PATH = 256;

  /**
   * A parsed argument: the address ({@code ""} for the null reverse-path) and the parameters,
   * keywords upper-cased, values as sent (null for a bare keyword); or the reply refusing it.
   */
  record Parsed(String address, Map<String, String> params, SmtpResponse refusal) {
    boolean refused() {
      return refusal != null;
    }

    static Parsed refuse(SmtpResponse reply) {
      return new Parsed(null, Map.of(), reply);
    }
  }

  private PathArguments() {}

  static Parsed mail(String arguments) {
    return parse(arguments, "FROM:", true);
  }

  static Parsed rcpt(String arguments) {
    return parse(arguments, "TO:", false);
  }

  private static Parsed parse(String arguments, String keyword, boolean sender) {
    if (arguments.length() < keyword.length()
        || !arguments.substring(0, keyword.length()).equalsIgnoreCase(keyword)) {
      return Parsed.refuse(SmtpReplies.syntax("expected " + keyword + "<address>"));
    }
    String rest = arguments.substring(keyword.length()).stripLeading();
    String path;
    String params;
    if (rest.startsWith("<")) {
      int close = rest.indexOf('>');
      if (close < 0) {
        return Parsed.refuse(rest.length() > MAX_PATH ? pathTooLong(sender)
            : SmtpReplies.syntax("unterminated path"));
      }
      path = rest.substring(0, close + 1);
      params = rest.substring(close + 1);
      if (!params.isEmpty() && params.charAt(0) != ' ') {
        return Parsed.refuse(SmtpReplies.syntax("expected a space after the path"));
      }
    } else {
      int space = rest.indexOf(' ');
      path = space < 0 ? rest : rest.substring(0, space);
      params = space < 0 ? "" : rest.substring(space);
      if (path.isEmpty()) {
        return Parsed.refuse(SmtpReplies.syntax("expected " + keyword + "<address>"));
      }
      path = "<" + path + ">";
    }
    if (path.length() > MAX_PATH) {
      return Parsed.refuse(pathTooLong(sender));
    }
    Optional<String> address = address(path.substring(1, path.length() - 1), sender);
    if (address.isEmpty()) {
      return Parsed.refuse(sender ? SmtpReplies.badSenderAddress() : SmtpReplies.badRecipientAddress());
    }
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String param : params.strip().split(" +")) {
      if (param.isEmpty()) {
        continue;
      }
      int eq = param.indexOf('=');
      String name = (eq < 0 ? param : param.substring(0, eq)).toUpperCase(Locale.ROOT);
      String value = eq < 0 ? null : param.substring(eq + 1);
      if (!isKeyword(name) || (value != null && !isValue(value))) {
        return Parsed.refuse(SmtpReplies.syntax("malformed parameter"));
      }
      if (parsed.containsKey(name)) {
        return Parsed.refuse(SmtpReplies.syntax("parameter " + name + " given twice"));
      }
      parsed.put(name, value);
    }
    return new Parsed(address.get(), parsed, null);
  }

  /** RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, RFC 4954 §5 AUTH; anything else 501. */
  static Optional<SmtpResponse> mailParameterRefusal(Map<String, String> params, long maxMessageBytes) {
    for (Map.Entry<String, String> param : params.entrySet()) {
      String value = param.getValue();
      switch (param.getKey()) {
        case "SIZE" -> {
          if (value == null || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.of(SmtpReplies.syntax("SIZE=<octets>"));
          }
          if (Long.parseLong(value) > maxMessageBytes) {
            return Optional.of(SmtpReplies.tooLarge());
          }
        }
        case "BODY" -> {
          if (value == null || !(value.equalsIgnoreCase("7BIT") || value.equalsIgnoreCase("8BITMIME"))) {
            return Optional.of(SmtpReplies.syntax("BODY=7BIT or BODY=8BITMIME"));
          }
        }
        case "SMTPUTF8" -> {
          if (value != null) {
            return Optional.of(SmtpReplies.syntax("SMTPUTF8 takes no value"));
          }
        }
        case "AUTH" -> {
          if (value == null) {
            return Optional.of(SmtpReplies.syntax("AUTH=<mailbox>"));
          }
        }
        default -> {
          return Optional.of(SmtpReplies.syntax("unknown MAIL parameter " + param.getKey()));
        }
      }
    }
    return Optional.empty();
  }

  /** The mailbox of a path's inside, route dropped; empty when malformed. */
  private static Optional<String> address(String inside, boolean sender) {
    if (inside.isEmpty()) {
      return sender ? Optional.of("") : Optional.empty();
    }
    String mailbox = inside;
    if (inside.startsWith("@")) {
      int colon = inside.indexOf(':');
      if (colon < 0 || !isRoute(inside.substring(0, colon))) {
        return Optional.empty();
      }
      mailbox = inside.substring(colon + 1);
    }
    try {
      return Optional.of(EmailAddress.parseBare(mailbox).address());
    } catch (InvalidValue e) {
      return Optional.empty();
    }
  }

  /** {@code @domain(,@domain)*}, RFC 5321 §4.1.2 A-d-l; each domain loosely checked. */
  private static boolean isRoute(String route) {
    for (String hop : route.split(",", -1)) {
      if (hop.length() < 2 || hop.charAt(0) != '@'
          || !hop.substring(1).chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** RFC 5321 §4.1.2 esmtp-keyword. */
  private static boolean isKeyword(String name) {
    if (name.isEmpty() || !Character.isLetterOrDigit(name.charAt(0))) {
      return false;
    }
    return name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'));
  }

  /** RFC 5321 §4.1.2 esmtp-value: printable, no '=' or space (RFC 6531 allows UTF-8 too). */
  private static boolean isValue(String value) {
    return !value.isEmpty() && value.chars().allMatch(c -> c > 32 && c != '=' && c != 127);
  }

  private static SmtpResponse pathTooLong(boolean sender) {
    return sender ? SmtpReplies.senderPathTooLong() : SmtpReplies.recipientPathTooLong();
  }
}
