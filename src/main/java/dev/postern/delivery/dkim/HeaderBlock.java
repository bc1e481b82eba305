package dev.postern.delivery.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header fields of a message (RFC 5322 §2.2), in order, with their relaxed canonical form
 * (RFC 6376 §3.4.2). Bytes are read as ISO-8859-1 so that 8-bit (e.g. SMTPUTF8) header bytes
 * survive unchanged into the hash.
 */
final class HeaderBlock {

  /** One field: its lower-case name and its relaxed form {@code name:value} without CRLF. */
  record Field(String name, String relaxed) {}

  private final List<Field> fields;

  private HeaderBlock(List<Field> fields) {
    this.fields = fields;
  }

  /**
   * @param block the bytes before the empty line that ends the header section (lines end in
   *     CRLF or bare LF; a line starting with SP or HTAB continues the previous field)
   */
  static HeaderBlock parse(byte[] block, int length) {
    String text = new String(block, 0, length, StandardCharsets.ISO_8859_1);
    List<Field> fields = new ArrayList<>();
    StringBuilder current = null;
    int start = 0;
    while (start < text.length()) {
      int lf = text.indexOf('\n', start);
      int end = lf < 0 ? text.length() : lf;
      String line = text.substring(start, end > start && text.charAt(end - 1) == '\r' ? end - 1 : end);
      start = lf < 0 ? text.length() : lf + 1;
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
        current.append(line); // unfolding (§3.4.2): the CRLF goes, the WSP stays
      } else {
        add(fields, current);
        current = new StringBuilder(line);
      }
    }
    add(fields, current);
    return new HeaderBlock(fields);
  }

  private static void add(List<Field> fields, StringBuilder unfolded) {
    if (unfolded == null) {
      return;
    }
    String field = unfolded.toString();
    int colon = field.indexOf(':');
    if (colon <= 0) {
      return; // not a header field (e.g. an mbox "From " line): never signed
    }
    String name = field.substring(0, colon).strip().toLowerCase(Locale.ROOT);
    fields.add(new Field(name, name + ":" + relaxValue(field.substring(colon + 1))));
  }

  /** RFC 6376 §3.4.2: WSP runs become one SP; WSP at the start and end of the value goes. */
  static String relaxValue(String value) {
    StringBuilder out = new StringBuilder(value.length());
    boolean space = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        space = true;
      } else {
        if (space && out.length() > 0) {
          out.append(' ');
        }
        space = false;
        out.append(c);
      }
    }
    return out.toString();
  }

  List<Field> fields() {
    return fields;
  }

  /**
   * Picks the fields to sign and the {@code h=} list, per RFC 6376 §5.4.2: for each name, the
   * instances from the bottom up. A name listed more often than it occurs (over-signing, §8.15)
   * makes a receiver's added instance break the signature; that name contributes nothing to the
   * hash for the extra listing.
   *
   * @param names the candidate names in lower case, each once
   * @param overSigned names listed once more than they occur
   */
  Selection select(List<String> names, List<String> overSigned) {
    List<String> listed = new ArrayList<>();
    List<String> hashed = new ArrayList<>();
    for (String name : names) {
      List<Field> instances = new ArrayList<>();
      for (Field field : fields) {
        if (field.name().equals(name)) {
          instances.add(field);
        }
      }
      for (int i = instances.size() - 1; i >= 0; i--) {
        listed.add(name);
        hashed.add(instances.get(i).relaxed());
      }
      if (!instances.isEmpty() && overSigned.contains(name)) {
        listed.add(name);
      }
    }
    return new Selection(List.copyOf(listed), List.copyOf(hashed));
  }

  /** The {@code h=} names in order and the relaxed fields hashed for them. */
  record Selection(List<String> names, List<String> relaxedFields) {}

  boolean has(String name) {
    return fields.stream().anyMatch(f -> f.name().equals(name));
  }
}
