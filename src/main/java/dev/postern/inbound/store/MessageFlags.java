package dev.postern.inbound.store;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A message's flags as a set (RFC 3501 §2.3.2): the system flags {@code \Seen}, {@code \Answered},
 * {@code \Flagged}, {@code \Deleted}, {@code \Draft}, and keywords. System flags are matched
 * case-insensitively and stored in their canonical spelling; keywords are atoms, kept as
 * written. {@code \Recent} is a session flag, never stored. The REST views: {@code is_read} is
 * {@code \Seen}, {@code is_starred} is {@code \Flagged}.
 */
public final class MessageFlags {

  public static final String SEEN = "\\Seen";
  public static final String FLAGGED = "\\Flagged";
  public static final String ANSWERED = "\\Answered";
  public static final String DELETED = "\\Deleted";
  public static final String DRAFT = "\\Draft";

  private static final Map<String, String> SYSTEM = Map.of(
      "\\seen", SEEN, "\\flagged", FLAGGED, "\\answered", ANSWERED, "\\deleted", DELETED,
      "\\draft", DRAFT);

  private static final int MAX_KEYWORD_LENGTH = 100;

  private MessageFlags() {}

  /**
   * The canonical, sorted set of {@code flags}.
   *
   * @throws IllegalArgumentException for an unknown system flag ({@code \Foo}) or a keyword
   *     that is not an IMAP atom (RFC 3501 §9: no space, control, {@code ( ) { % * " \ ]})
   */
  public static Set<String> normalize(Collection<String> flags) {
    Set<String> out = new TreeSet<>();
    for (String flag : flags) {
      if (flag == null || flag.isEmpty()) {
        throw new IllegalArgumentException("empty flag");
      }
      if (flag.startsWith("\\")) {
        String lower = flag.toLowerCase(Locale.ROOT);
        if (lower.equals("\\recent")) {
          continue;
        }
        String system = SYSTEM.get(lower);
        if (system == null) {
          throw new IllegalArgumentException("unknown system flag: " + flag);
        }
        out.add(system);
      } else {
        requireAtom(flag);
        out.add(flag);
      }
    }
    return out;
  }

  private static void requireAtom(String keyword) {
    if (keyword.length() > MAX_KEYWORD_LENGTH) {
      throw new IllegalArgumentException("keyword longer than " + MAX_KEYWORD_LENGTH);
    }
    for (int i = 0; i < keyword.length(); i++) {
      char c = keyword.charAt(i);
      if (c <= 0x20 || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0) {
        throw new IllegalArgumentException("keyword is not an IMAP atom: " + keyword);
      }
    }
  }
}
