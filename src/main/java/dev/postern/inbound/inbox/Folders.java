package dev.postern.inbound.inbox;

/**
 * Folder names (the shared receiving design): 1–64 characters, free-form; {@code inbox},
 * {@code archive}, {@code trash}, {@code sent}, {@code spam} are the conventional ones.
 */
public final class Folders {

  public static final String INBOX = "inbox";
  public static final String TRASH = "trash";
  static final String RULE = "must be 1 to 64 characters without control characters";

  private Folders() {}

  /** 1–64 characters (code points, as PostgreSQL's char_length counts), no controls. */
  public static boolean valid(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    int length = name.codePointCount(0, name.length());
    return length <= 64 && name.codePoints().noneMatch(c -> Character.isISOControl(c)
        || c == 0x2028 || c == 0x2029);
  }
}
