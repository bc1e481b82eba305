package dev.postern.inbound.parse;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads msg-ids (RFC 5322 §3.6.4) out of Message-ID, In-Reply-To and References, returning them
 * bare (without the angle brackets). Tolerant: comments and folding white space anywhere (§4.5.4
 * obsolete forms), white space inside the brackets dropped, phrases between ids ignored (old
 * In-Reply-To carried "Your message of …"), and a value with no brackets at all read as
 * white-space separated words of which those with an '@' count. Everything else is garbage and
 * ignored.
 */
final class MessageIds {

  /** RFC 5322 §2.1.1 line limit; an id longer than a line is garbage. */
  static final int MAX_ID_LENGTH = 998;

  private MessageIds() {}

  /** The ids in order, each once. */
  static List<String> all(String value) {
    if (value == null) {
      return List.of();
    }
    String text = withoutComments(value);
    Set<String> ids = new LinkedHashSet<>();
    if (text.indexOf('<') >= 0) {
      int i = 0;
      while ((i = text.indexOf('<', i)) >= 0) {
        int close = text.indexOf('>', i + 1);
        if (close < 0) {
          break;
        }
        int open = text.lastIndexOf('<', close - 1); // "<<a@b>" is read as "<a@b>"
        add(ids, text.substring(open + 1, close));
        i = close + 1;
      }
    } else {
      for (String word : text.trim().split("[\\s,]+")) {
        if (word.indexOf('@') > 0) {
          add(ids, word);
        }
      }
    }
    return List.copyOf(new ArrayList<>(ids));
  }

  /** The first id, as for Message-ID and In-Reply-To. */
  static Optional<String> first(String value) {
    List<String> ids = all(value);
    return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(0));
  }

  private static void add(Set<String> ids, String raw) {
    StringBuilder id = new StringBuilder(raw.length());
    raw.codePoints()
        .filter(c -> !Character.isWhitespace(c) && c >= 0x20 && c != 0x7f && c != '<' && c != '>')
        .forEach(id::appendCodePoint);
    if (id.length() > 0 && id.length() <= MAX_ID_LENGTH) {
      ids.add(id.toString());
    }
  }

  /**
   * Drops RFC 5322 §3.2.2 comments (nested, with quoted-pairs) outside quoted strings and angle
   * brackets.
   */
  static String withoutComments(String value) {
    StringBuilder out = new StringBuilder(value.length());
    int depth = 0;
    boolean quoted = false;
    boolean angle = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (depth > 0) {
        if (c == '\\') {
          i++;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
        continue;
      }
      if (c == '\\' && quoted && i + 1 < value.length()) {
        out.append(c).append(value.charAt(++i));
        continue;
      }
      if (c == '"' && !angle) {
        quoted = !quoted;
      } else if (c == '<' && !quoted) {
        angle = true;
      } else if (c == '>' && !quoted) {
        angle = false;
      } else if (c == '(' && !quoted && !angle) {
        depth = 1;
        out.append(' ');
        continue;
      }
      out.append(c);
    }
    return out.toString();
  }
}
