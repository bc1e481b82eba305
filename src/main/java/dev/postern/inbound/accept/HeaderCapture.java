package dev.postern.inbound.accept;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps the header block of a message as its chunks go by — at most {@link #MAX_BYTES} octets,
 * so a message that is all header costs no more memory than that — and reads fields from it
 * leniently: mail from the world is stored as received whatever its header looks like (RFC 5321
 * §6.1: the receiver takes responsibility), so nothing here refuses anything. A field not
 * completely inside the captured octets is not seen.
 */
final class HeaderCapture implements Consumer<Buffer> {

  /** The same cap as the submission path's header block. */
  static final int MAX_BYTES = 64 * 1024;

  /** One unfolded field (RFC 5322 §2.2.3). */
  record Field(String name, String value) {}

  private Buffer head = Buffer.buffer();
  private int scanned;
  /** No more octets are kept: the header ended, or the cap was reached. */
  private boolean complete;
  /** The empty line that ends the header was seen. */
  private boolean ended;

  @Override
  public void accept(Buffer chunk) {
    if (complete) {
      return;
    }
    int room = MAX_BYTES - head.length();
    head.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
    int end = endOfHeader();
    if (end >= 0) {
      head = head.getBuffer(0, end); // the header's octets only
      complete = true;
      ended = true;
    } else if (head.length() >= MAX_BYTES) {
      complete = true;
    }
  }

  /** The fields in order, names as written, values unfolded and trimmed. */
  List<Field> fields() {
    List<Field> fields = new ArrayList<>();
    String text = head.toString(StandardCharsets.UTF_8);
    String[] lines = text.split("\r\n", -1);
    StringBuilder current = null;
    for (String line : lines) {
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
        if (current != null) {
          current.append(line);
        }
        continue;
      }
      add(fields, current);
      current = line.isEmpty() ? null : new StringBuilder(line);
    }
    // The last line is complete only when the header's end was seen.
    if (ended) {
      add(fields, current);
    }
    return fields;
  }

  /** The value of the first field of that name. */
  Optional<String> first(String name) {
    return fields().stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value)
        .findFirst();
  }

  private static void add(List<Field> fields, StringBuilder line) {
    if (line == null) {
      return;
    }
    int colon = line.indexOf(":");
    if (colon <= 0) {
      return;
    }
    String name = line.substring(0, colon).strip();
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127)) {
      return;
    }
    fields.add(new Field(name, line.substring(colon + 1).strip()));
  }

  /**
   * Offset just after the CRLF that ends the last field (0 when the message starts with the
   * empty line), or -1; each octet is looked at about once over all chunks.
   */
  private int endOfHeader() {
    if (head.length() >= 2 && head.getByte(0) == '\r' && head.getByte(1) == '\n') {
      return 0;
    }
    int i = Math.max(0, scanned - 3);
    for (; i + 3 < head.length(); i++) {
      if (head.getByte(i) == '\r' && head.getByte(i + 1) == '\n' && head.getByte(i + 2) == '\r'
          && head.getByte(i + 3) == '\n') {
        return i + 2;
      }
    }
    scanned = head.length();
    return -1;
  }
}
