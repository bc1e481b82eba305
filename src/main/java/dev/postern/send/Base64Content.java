package dev.postern.send;

import dev.postern.mail.InvalidValue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Validates attachment content given as base64 (RFC 4648 §4, the standard alphabet) without
 * decoding it. Whitespace (space, TAB, CR, LF) is tolerated and removed; missing padding is
 * added. The result is the canonical unwrapped text and the decoded size.
 */
final class Base64Content {

  /** The validated, unwrapped, padded text and its decoded length in bytes. */
  record Normalised(AsciiText base64, long decodedSize) {}

  private static final byte OUTSIDE = 0;
  private static final byte SYMBOL = 1;
  private static final byte SPACE = 2;
  private static final byte PAD = 3;

  /**
   * Each octet's class. Indexed by the text's octets; in a String's copy ({@link AsciiText#of}) a
   * char above 0xFF becomes '?', which is {@link #OUTSIDE} like every other char outside the
   * alphabet. Scanning
   * a byte array through a table is several times faster than {@code String.charAt} per char,
   * which was 4 % of the machine in send-attach (200 KB attachment, session 12 profile); runs
   * of symbols go eight at a time ({@link #eightSymbols}).
   */
  private static final byte[] CLASSES = new byte[256];

  static {
    String symbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < symbols.length(); i++) {
      CLASSES[symbols.charAt(i)] = SYMBOL;
    }
    CLASSES[' '] = SPACE;
    CLASSES['\t'] = SPACE;
    CLASSES['\r'] = SPACE;
    CLASSES['\n'] = SPACE;
    CLASSES['='] = PAD;
  }

  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Base64Content() {}

  /**
   * Whether all eight octets of a word are alphabet symbols (SWAR: each range test sets the
   * high bit of the octets in it; no carry crosses octets because every octet is below 0x80).
   */
  private static boolean eightSymbols(long word) {
    if ((word & HIGH_BITS) != 0) {
      return false;
    }
    long symbols = inRange(word, 'A', 'Z') | inRange(word, 'a', 'z') | inRange(word, '0', '9')
        | inRange(word, '+', '+') | inRange(word, '/', '/');
    return symbols == HIGH_BITS;
  }

  /** The high bit of each octet in [lo, hi]; octets must be below 0x80. */
  private static long inRange(long word, int lo, int hi) {
    long atLeastLo = word + (0x80 - lo) * ONES;
    long aboveHi = word + (0x7F - hi) * ONES;
    return atLeastLo & ~aboveHi & HIGH_BITS;
  }

  /**
   * Validates and normalises {@code content}: an {@link AsciiText} is read where it lies (a view
   * of the request body); a String is copied once into octets. The canonical case returns the
   * text's own octets, not a copy.
   *
   * @throws InvalidValue when a character is outside the alphabet or padding is misplaced
   */
  static Normalised normalise(CharSequence content) {
    AsciiText text = content instanceof AsciiText t ? t : AsciiText.of(content.toString());
    byte[] octets = text.array();
    int from = text.offset();
    int to = from + text.length();
    int symbols = 0;
    int padding = 0;
    boolean whitespace = false;
    int i = from;
    while (i < to) {
      // The common case, a run of alphabet symbols, eight at a time, then in a loop of its own.
      int run = i;
      while (run + 8 <= to && eightSymbols((long) WORDS.get(octets, run))) {
        run += 8;
      }
      while (run < to && CLASSES[octets[run] & 0xFF] == SYMBOL) {
        run++;
      }
      if (run > i && padding > 0) {
        throw new InvalidValue("is not valid base64 (data after padding)");
      }
      symbols += run - i;
      if (run == to) {
        break;
      }
      switch (CLASSES[octets[run] & 0xFF]) {
        case SPACE -> whitespace = true;
        case PAD -> padding++;
        default -> throw new InvalidValue("is not valid base64 (character outside the alphabet)");
      }
      i = run + 1;
    }
    int tail = symbols % 4;
    if (tail == 1 || (tail == 0 ? padding != 0 : padding > 4 - tail)) {
      throw new InvalidValue("is not valid base64 (bad length or padding)");
    }
    long decoded = (long) symbols / 4 * 3 + (tail == 0 ? 0 : tail - 1);
    boolean canonical = !whitespace && (tail == 0 || padding == 4 - tail);
    if (canonical) {
      return new Normalised(text, decoded);
    }
    byte[] out = new byte[symbols + (tail == 0 ? 0 : 4 - tail)];
    int n = 0;
    for (int k = from; k < to; k++) {
      if (CLASSES[octets[k] & 0xFF] == SYMBOL) {
        out[n++] = octets[k];
      }
    }
    while (n < out.length) {
      out[n++] = '=';
    }
    return new Normalised(new AsciiText(out, 0, out.length), decoded);
  }
}
