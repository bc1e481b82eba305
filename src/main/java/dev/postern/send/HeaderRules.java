package dev.postern.send;

import dev.postern.mail.InvalidValue;
import dev.postern.mail.UnsafeText;
import dev.postern.send.SendRequest.Header;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Custom {@code headers} and {@code in_reply_to}. A custom header may add information but never
 * change who the message is from or to, what it is, or how it is structured: the structural
 * names below (case-insensitive, RFC 5322 §3.6, RFC 2045 §3 and trace fields) are refused.
 */
final class HeaderRules {

  static final int MAX_HEADERS = 50;
  /** Name ≤ 76 keeps {@code "Name: "} within 78; value ≤ 920 keeps an unfolded line ≤ 998. */
  static final int MAX_NAME = 76;
  static final int MAX_VALUE = 920;
  static final int MAX_MESSAGE_ID = 500;

  private static final Set<String> STRUCTURAL = Set.of(
      "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "reply-to",
      "in-reply-to", "references", "sender", "return-path", "received", "dkim-signature");

  private HeaderRules() {}

  static List<Header> read(JsonObject body, Issues issues) {
    Object value = body.getValue("headers");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonObject headers)) {
      issues.add("headers", "must be an object of header names to string values");
      return List.of();
    }
    if (headers.size() > MAX_HEADERS) {
      issues.add("headers", "must have at most " + MAX_HEADERS + " headers");
      return List.of();
    }
    List<Header> out = new ArrayList<>();
    int index = 0;
    for (Map.Entry<String, Object> entry : headers) {
      String name = entry.getKey();
      boolean nameOk = isFieldName(name);
      String path = nameOk ? "headers." + name : "headers[" + index + "]";
      index++;
      if (!nameOk) {
        issues.add(path, "header name must be 1-" + MAX_NAME
            + " printable ASCII characters without ':' (RFC 5322 §3.6.8)");
      } else if (isStructural(name)) {
        issues.add(path, "is set by the gateway and cannot be overridden");
      } else if (!(entry.getValue() instanceof String text)) {
        issues.add(path, "must be a string");
      } else {
        issues.check(path, text, HeaderRules::headerValue)
            .ifPresent(v -> out.add(new Header(name, v)));
      }
    }
    return out;
  }

  /** RFC 5322 §3.6.8 field-name = 1*ftext; ftext = %d33-57 / %d59-126. */
  static boolean isFieldName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 33 || c > 126 || c == ':') {
        return false;
      }
    }
    return true;
  }

  static boolean isStructural(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return STRUCTURAL.contains(lower) || lower.startsWith("content-");
  }

  /** Surrounding whitespace is dropped: it carries no meaning in a field body (RFC 5322 §2.2). */
  static String headerValue(String raw) {
    UnsafeText.requireHeaderSafe(raw);
    String value = raw.strip();
    if (value.codePointCount(0, value.length()) > MAX_VALUE) {
      throw new InvalidValue("must be at most " + MAX_VALUE + " characters");
    }
    return value;
  }

  /** A message id (RFC 5322 §3.6.4), with or without angle brackets; returned with them. */
  static String messageId(String raw) {
    UnsafeText.requireHeaderSafe(raw);
    String id = raw.strip();
    if (id.startsWith("<") && id.endsWith(">") && id.length() >= 2) {
      id = id.substring(1, id.length() - 1);
    }
    if (id.isEmpty() || id.length() > MAX_MESSAGE_ID) {
      throw new InvalidValue("must be a message id of 1-" + MAX_MESSAGE_ID + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 33 || c > 126 || c == '<' || c == '>') {
        throw new InvalidValue("must be a message id like <id@example.com>");
      }
    }
    return "<" + id + ">";
  }
}
