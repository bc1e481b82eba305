package dev.postern.inbound.parse;

import dev.postern.inbound.parse.ParsedMail.MailAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an address-list (RFC 5322 §3.4) from an unfolded header value, leniently: groups
 * ({@code friends: a@b, c@d;}) are flattened to their members, the obsolete route and comment
 * forms of §4.4 are accepted (a trailing comment such as {@code a@b (Alice)} is read as the display
 * name when there is none), display names are unquoted and their RFC 2047 encoded words decoded
 * (also inside quotes), raw UTF-8 (RFC 6532) is kept. A member without a local part, an '@' and a
 * domain is garbage and skipped. Iterative, no recursion: the header byte cap bounds the work.
 */
final class AddressLists {

  private AddressLists() {}

  static List<MailAddress> parse(String value) {
    List<MailAddress> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    Member member = new Member();
    int i = 0;
    int n = value.length();
    while (i < n) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> {
          StringBuilder q = new StringBuilder();
          i = quoted(value, i + 1, q);
          member.word(q.toString(), true);
          continue;
        }
        case '(' -> {
          StringBuilder comment = new StringBuilder();
          i = comment(value, i + 1, comment);
          member.comment(comment.toString());
          continue;
        }
        case '<' -> {
          int close = value.indexOf('>', i + 1);
          int end = close < 0 ? n : close;
          member.angle(value.substring(i + 1, end));
          i = end + 1;
          continue;
        }
        case ',', ';' -> member.finish(out);
        case '>' -> { } // a stray close bracket: garbage
        case ':' -> {
          if (!member.hasAngle()) {
            member = new Member(); // a group's display name (§3.4 group): not an address
          }
        }
        default -> {
          if (Character.isWhitespace(c)) {
            member.space();
          } else {
            int start = i;
            while (i < n && !Character.isWhitespace(value.charAt(i))
                && "\"(<>,;:".indexOf(value.charAt(i)) < 0) {
              i++;
            }
            member.word(value.substring(start, i), false);
            continue;
          }
        }
      }
      i++;
    }
    member.finish(out);
    return out;
  }

  /** Reads a quoted string's content after its opening quote; returns the index after the close. */
  private static int quoted(String s, int from, StringBuilder out) {
    int i = from;
    while (i < s.length() && s.charAt(i) != '"') {
      if (s.charAt(i) == '\\' && i + 1 < s.length()) {
        i++;
      }
      out.append(s.charAt(i++));
    }
    return i + 1;
  }

  /** Reads a (nested) comment's content after its '('; returns the index after the matching ')'. */
  private static int comment(String s, int from, StringBuilder out) {
    int depth = 1;
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        out.append(s.charAt(i + 1));
        i += 2;
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i + 1;
      }
      out.append(c);
      i++;
    }
    return i;
  }

  /** The pieces of one mailbox seen so far: phrase words, an angle address, a comment. */
  private static final class Member {
    private final StringBuilder phrase = new StringBuilder();
    private final StringBuilder bare = new StringBuilder();
    private String angle;
    private String comment;
    private boolean spaceBefore;

    void word(String word, boolean quoted) {
      if (phrase.length() > 0 && spaceBefore) {
        phrase.append(' ');
      }
      phrase.append(word);
      if (!quoted || bare.length() > 0) {
        bare.append(word); // an addr-spec is words joined without the white space (§3.4.1)
      } else {
        bare.append('"').append(word).append('"');
      }
      spaceBefore = false;
    }

    void space() {
      spaceBefore = true;
    }

    void comment(String text) {
      if (comment == null && !text.isBlank()) {
        comment = text.trim();
      }
      spaceBefore = true;
    }

    void angle(String text) {
      if (angle == null) {
        angle = text;
      }
    }

    boolean hasAngle() {
      return angle != null;
    }

    void finish(List<MailAddress> out) {
      String address = angle != null ? routeless(angle) : bare.toString();
      address = address.replaceAll("[\\s<>]", "");
      String name = angle != null ? phrase.toString().trim() : "";
      if (name.isEmpty() && comment != null) {
        name = comment;
      }
      int at = address.lastIndexOf('@');
      if (at > 0 && at < address.length() - 1) {
        name = EncodedWords.decode(name).trim();
        out.add(new MailAddress(name.isEmpty() ? null : name, address));
      }
      phrase.setLength(0);
      bare.setLength(0);
      angle = null;
      comment = null;
      spaceBefore = false;
    }

    /** §4.4 obs-route: {@code <@relay1,@relay2:user@example.org>} → {@code user@example.org}. */
    private static String routeless(String addr) {
      String a = addr.trim();
      int colon = a.indexOf(':');
      return a.startsWith("@") && colon > 0 ? a.substring(colon + 1) : a;
    }
  }
}
