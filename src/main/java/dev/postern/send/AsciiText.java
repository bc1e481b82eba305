package dev.postern.send;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Text of printable ASCII held as a region of a byte array, one char per octet — an attachment's
 * base64 kept where it already is: in the request body that {@link RequestJson} parsed, or in
 * the array {@link Base64Content} unwrapped it into. No String, no {@code char[]}: for a 200 KB
 * attachment each of those was another 270–540 KB to allocate and copy (send-attach, session 16).
 *
 * <p>The region must not change while the text is in use: a view of a request body relies on
 * the body's array being read-only once received (the HTTP layer's own array, never pooled).
 * Equality is by content, so values holding it compare as values.
 */
public final class AsciiText implements CharSequence {

  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final byte[] bytes;
  private final int offset;
  private final int length;

  AsciiText(byte[] bytes, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > bytes.length) {
      throw new IndexOutOfBoundsException("region " + offset + "+" + length + " of " + bytes.length);
    }
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
  }

  /**
   * A String's chars as octets, copied once (ISO-8859-1: a char above U+00FF becomes '?', so a
   * caller that has not checked the text gets a visible substitute, never an alias of ASCII).
   */
  static AsciiText of(String ascii) {
    byte[] octets = ascii.getBytes(StandardCharsets.ISO_8859_1);
    return new AsciiText(octets, 0, octets.length);
  }

  byte[] array() {
    return bytes;
  }

  int offset() {
    return offset;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public char charAt(int index) {
    if (index < 0 || index >= length) {
      throw new IndexOutOfBoundsException(index);
    }
    return (char) (bytes[offset + index] & 0xFF);
  }

  @Override
  public AsciiText subSequence(int start, int end) {
    if (start < 0 || end > length || start > end) {
      throw new IndexOutOfBoundsException("[" + start + ", " + end + ") of " + length);
    }
    return new AsciiText(bytes, offset + start, end - start);
  }

  @Override
  public String toString() {
    return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AsciiText t
        && Arrays.equals(bytes, offset, offset + length, t.bytes, t.offset, t.offset + t.length);
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + bytes[i];
    }
    return h;
  }

  /**
   * Where the run of octets that a JSON string can hold as themselves, unescaped (RFC 8259 §7:
   * anything but {@code "}, {@code \} and controls below U+0020; here also only ASCII), ends:
   * the index of the first other octet in {@code [from, to)}, or {@code to}. Eight octets at a
   * time (SWAR): a borrow can flag octets after a true hit but never before it, and the exact
   * place is then found octet by octet.
   */
  static int plainJsonRunEnd(byte[] bytes, int from, int to) {
    int i = from;
    while (i + 8 <= to && !hasStop((long) WORDS.get(bytes, i))) {
      i += 8;
    }
    while (i < to && isPlain(bytes[i])) {
      i++;
    }
    return i;
  }

  private static boolean isPlain(byte b) {
    return b >= 0x20 && b != '"' && b != '\\'; // negative (≥ 0x80 unsigned) is not plain
  }

  private static boolean hasStop(long word) {
    long below20 = (word - 0x20 * ONES) & ~word;
    long quote = zeroOctets(word ^ ('"' * ONES));
    long backslash = zeroOctets(word ^ ('\\' * ONES));
    return ((below20 | quote | backslash) & HIGH_BITS) != 0 || (word & HIGH_BITS) != 0;
  }

  private static long zeroOctets(long v) {
    return (v - ONES) & ~v;
  }
}
