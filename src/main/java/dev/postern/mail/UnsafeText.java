package dev.postern.mail;

import java.util.Optional;

/**
 * Character checks shared by every field that can reach a header line. A header field is one
 * line (RFC 5322 §2.2); CR, LF, NUL and the Unicode line/paragraph separators that some mail
 * software treats as line breaks must never get into one.
 */
public final class UnsafeText {

  private static final Optional<String> UNPAIRED_SURROGATE =
      Optional.of("must not contain unpaired surrogates");

  private UnsafeText() {}

  /**
   * The reason {@code text} may not be written into a header, if any: a C0 control other than
   * TAB, DEL, NEL (U+0085), U+2028, U+2029, or an unpaired UTF-16 surrogate.
   */
  public static Optional<String> inHeader(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        return Optional.of("must not contain CR or LF");
      }
      if (c == 0) {
        return Optional.of("must not contain NUL");
      }
      if (c == '\u2028' || c == '\u2029' || c == '\u0085') {
        return Optional.of("must not contain a Unicode line separator");
      }
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return Optional.of("must not contain control characters");
      }
      if (Character.isSurrogate(c)) {
        if (!pairStartsAt(text, i)) {
          return UNPAIRED_SURROGATE;
        }
        i++;
      }
    }
    return Optional.empty();
  }

  /** The reason {@code text} may not be a message body, if any: only unpaired surrogates. */
  public static Optional<String> inBody(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (!pairStartsAt(text, i)) {
          return UNPAIRED_SURROGATE;
        }
        i++;
      }
    }
    return Optional.empty();
  }

  /** Whether a high surrogate at {@code i} is followed by its low half. */
  private static boolean pairStartsAt(String text, int i) {
    return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
        && Character.isLowSurrogate(text.charAt(i + 1));
  }

  /** Throws {@link InvalidValue} when {@link #inHeader} finds a reason. */
  public static String requireHeaderSafe(String text) {
    Optional<String> problem = inHeader(text);
    if (problem.isPresent()) {
      throw new InvalidValue(problem.get());
    }
    return text;
  }

  public static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) > 0x7f) {
        return false;
      }
    }
    return true;
  }
}
