package dev.postern.send;

import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The header block at the front of a received message (RFC 5322 §2.2), checked against our caps
 * and split into fields. Each field keeps its raw octets (written back untouched when we keep
 * it) and its unfolded value (what we interpret). The block is the octets up to and including
 * the CRLF of its last field; the empty line that ends it belongs to the body.
 *
 * <p>Caps: at most {@value #MAX_BYTES} octets and {@value #MAX_FIELDS} fields ({@link
 * Reason#TOO_LARGE}: our limits, not the RFC's); lines at most {@value #MAX_LINE} octets before
 * their CRLF (RFC 5322 §2.1.1), CR and LF only as CRLF (§2.2), no NUL, every field a name and a
 * colon (§2.2, §3.6.8) — anything else is {@link Reason#INVALID}. Octets over 127 are allowed
 * (RFC 6532) and read as UTF-8.
 */
record HeaderBlock(Buffer raw, List<Field> fields) {

  static final int MAX_BYTES = 64 * 1024;
  static final int MAX_FIELDS = 1000;
  static final int MAX_LINE = 998;

  /**
   * One header field.
   *
   * @param name as written, without the colon
   * @param start offset of its first octet in the block
   * @param end offset after its last CRLF
   * @param value the body unfolded (CRLF before WSP removed, RFC 5322 §2.2.3), trimmed
   */
  record Field(String name, int start, int end, String value) {

    boolean is(String other) {
      return name.equalsIgnoreCase(other);
    }
  }

  HeaderBlock {
    fields = List.copyOf(fields);
  }

  /** Parses a block read by {@link HeaderBlockReader}: empty, or ending in CRLF. */
  static HeaderBlock parse(Buffer raw) {
    if (raw.length() > MAX_BYTES) {
      throw tooLarge();
    }
    List<Field> fields = new ArrayList<>();
    int fieldStart = -1;
    int position = 0;
    while (position < raw.length()) {
      int lineEnd = lineEnd(raw, position);
      if (lineEnd - position > MAX_LINE) {
        throw invalid("a header line is longer than " + MAX_LINE + " octets (RFC 5322 §2.1.1)");
      }
      byte first = raw.getByte(position);
      boolean continuation = first == ' ' || first == '\t';
      if (continuation && fieldStart < 0) {
        throw invalid("the header block starts with a folded line (RFC 5322 §2.2.3)");
      }
      if (!continuation) {
        if (fieldStart >= 0) {
          fields.add(field(raw, fieldStart, position));
        }
        if (fields.size() == MAX_FIELDS) {
          throw Refusal.of(Reason.TOO_LARGE, "the header has more than " + MAX_FIELDS + " fields");
        }
        fieldStart = position;
      }
      position = lineEnd + 2;
    }
    if (fieldStart >= 0) {
      fields.add(field(raw, fieldStart, raw.length()));
    }
    return new HeaderBlock(raw, fields);
  }

  /** Fields with this name, in order. */
  List<Field> all(String name) {
    return fields.stream().filter(f -> f.is(name)).toList();
  }

  /** The value of the first field with this name. */
  Optional<String> first(String name) {
    return fields.stream().filter(f -> f.is(name)).map(Field::value).findFirst();
  }

  /** The raw octets of a field, folding and CRLF included. */
  Buffer rawOf(Field field) {
    return raw.getBuffer(field.start(), field.end());
  }

  static Refusal tooLarge() {
    return Refusal.of(Reason.TOO_LARGE, "the header block is over " + MAX_BYTES + " octets");
  }

  private static Refusal invalid(String message) {
    return Refusal.invalid("header", message);
  }

  /** Offset of the CR of the CRLF ending the line at {@code start}; checks the line's octets. */
  private static int lineEnd(Buffer raw, int start) {
    for (int i = start; i < raw.length(); i++) {
      byte b = raw.getByte(i);
      if (b == '\r') {
        if (i + 1 < raw.length() && raw.getByte(i + 1) == '\n') {
          return i;
        }
        throw invalid("the header has a CR that is not part of a CRLF (RFC 5322 §2.2)");
      }
      if (b == '\n') {
        throw invalid("the header has an LF that is not part of a CRLF (RFC 5322 §2.2)");
      }
      if (b == 0) {
        throw invalid("the header contains NUL");
      }
    }
    throw invalid("the header block does not end with CRLF");
  }

  private static Field field(Buffer raw, int start, int end) {
    int colon = -1;
    for (int i = start; i < end; i++) {
      byte b = raw.getByte(i);
      if (b == ':') {
        colon = i;
        break;
      }
      if (b < 33 || b > 126) {
        break;
      }
    }
    if (colon <= start) {
      throw invalid("a header line is not a field (name, colon, value; RFC 5322 §2.2)");
    }
    String name = raw.getString(start, colon, "US-ASCII");
    // Unfolding removes each CRLF that is followed by WSP; the final CRLF goes too.
    byte[] body = raw.getBytes(colon + 1, end);
    StringBuilder unfolded = new StringBuilder(body.length);
    String text = new String(body, StandardCharsets.UTF_8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\r' && c != '\n') {
        unfolded.append(c);
      }
    }
    return new Field(name, start, end, unfolded.toString().strip());
  }
}
