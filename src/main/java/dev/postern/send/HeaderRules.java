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
 * change who the message is from or to, what it is, how it is structured or how it travels, so
 * names are allowed by list (issue #15.6), case-insensitively: {@code X-*} extension fields,
 * {@code List-*} (RFC 2369, RFC 2919, RFC 8058 one-click unsubscribe) and the few other fields
 * Resend users set. Everything else is refused — the gateway's own fields (RFC 5322 §3.6,
 * RFC 2045 §3) with "is set by the gateway", and any other name, which a block-list would let
 * through: {@code Resent-*} (RFC 5322 §3.6.6), trace and authentication results (§3.6.7,
 * RFC 8601, RFC 8617 {@code ARC-*}), receipt and error redirection
 * ({@code Disposition-Notification-To}, {@code Return-Receipt-To}, {@code Errors-To}),
 * {@code Delivered-To}.
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

  /** Allowed whole names besides the {@code X-} and {@code List-} families. */
  private static final Set<String> ALLOWED = Set.of(
      "auto-submitted",                 // RFC 3834 §5: marks automatic mail, stops auto-replies
      "precedence",                     // RFC 3834 §3.1.8 (bulk, list): read by auto-responders
      "feedback-id",                    // Gmail's feedback loop identifier
      "keywords", "comments",           // RFC 5322 §3.6.5 informational fields
      "importance", "priority", "sensitivity", // RFC 2156 §5.3 (Outlook and others show them)
      "organization",                   // RFC 1036 §2.2.8, shown by many clients
      "archived-at",                    // RFC 5064
      "thread-topic", "thread-index");  // Outlook threading

  /** Named in the refusal, in the contract's words. */
  static final String ALLOWED_NAMES = "X-*, List-*, Auto-Submitted, Precedence, Feedback-ID, "
      + "Keywords, Comments, Importance, Priority, Sensitivity, Organization, Archived-At, "
      + "Thread-Topic, Thread-Index";

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
            + " printable ASCII characters without ':', '(' or ')' (RFC 5322 §3.6.8)");
      } else if (isStructural(name)) {
        issues.add(path, "is set by the gateway and cannot be overridden");
      } else if (!isAllowed(name)) {
        issues.add(path, "is not a header a sender may set (allowed: " + ALLOWED_NAMES + ")");
      } else if (!(entry.getValue() instanceof String text)) {
        issues.add(path, "must be a string");
      } else {
        issues.check(path, text, HeaderRules::headerValue)
            .ifPresent(v -> out.add(new Header(name, v)));
      }
    }
    return out;
  }

  /**
   * RFC 5322 §3.6.8 field-name = 1*ftext; ftext = %d33-57 / %d59-126 — but without '(' and ')':
   * the standard allows them, yet Apache James's mime4j in strict mode refuses a field name
   * with '(' ("Invalid header encountered"), so a receiver running it would reject the whole
   * message (found by MimeComposerFuzzTest). No real extension field uses them.
   */
  static boolean isFieldName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 33 || c > 126 || c == ':' || c == '(' || c == ')') {
        return false;
      }
    }
    return true;
  }

  static boolean isStructural(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return STRUCTURAL.contains(lower) || lower.startsWith("content-");
  }

  /** Issue #15.6: the allow-list; a bare {@code X-} or {@code List-} is no name. */
  static boolean isAllowed(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return (lower.startsWith("x-") && lower.length() > 2)
        || (lower.startsWith("list-") && lower.length() > 5)
        || ALLOWED.contains(lower);
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
