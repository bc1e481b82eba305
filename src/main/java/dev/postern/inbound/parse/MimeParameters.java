package dev.postern.inbound.parse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@code Content-Type} or {@code Content-Disposition} value (RFC 2045 §5.1, RFC 2183): the
 * lower-case main value and its parameters by lower-case name, each decoded. RFC 2231 forms win
 * over a plain parameter of the same name: {@code name*=charset'lang'%XX} (§4) and continuations
 * {@code name*0=}, {@code name*1*=} … joined in index order (§3), an encoded segment taking the
 * charset of segment 0. Plain values are unquoted (backslash escapes) and RFC 2047 encoded words
 * in them are decoded (forbidden by §5 of RFC 2047, sent by Outlook and Gmail all the same).
 * Lenient: an unquoted value runs to the next ';', an unterminated quote to the end.
 */
record MimeParameters(String value, Map<String, String> parameters) {

  /** Continuation indexes above this are ignored: no honest filename needs a thousand segments. */
  private static final int MAX_SEGMENT = 999;

  static MimeParameters parse(String header) {
    if (header == null) {
      return new MimeParameters("", Map.of());
    }
    int semicolon = header.indexOf(';');
    String value = (semicolon < 0 ? header : header.substring(0, semicolon)).trim()
        .toLowerCase(Locale.ROOT);
    Map<String, String> plain = new LinkedHashMap<>();
    Map<String, TreeMap<Integer, Segment>> extended = new HashMap<>();
    int i = semicolon < 0 ? header.length() : semicolon + 1;
    while (i < header.length()) {
      int nameEnd = i;
      while (nameEnd < header.length() && header.charAt(nameEnd) != '='
          && header.charAt(nameEnd) != ';') {
        nameEnd++;
      }
      String name = header.substring(i, nameEnd).trim().toLowerCase(Locale.ROOT);
      if (nameEnd >= header.length() || header.charAt(nameEnd) == ';') {
        i = nameEnd + 1; // a parameter without a value: ignored
        continue;
      }
      StringBuilder raw = new StringBuilder();
      i = readValue(header, nameEnd + 1, raw);
      if (!name.isEmpty()) {
        collect(name, raw.toString(), plain, extended);
      }
    }
    Map<String, String> params = new LinkedHashMap<>();
    plain.forEach((name, v) -> params.put(name, EncodedWords.decode(v)));
    extended.forEach((name, segments) -> params.put(name, join(segments)));
    return new MimeParameters(value, Map.copyOf(params));
  }

  Optional<String> get(String name) {
    String v = parameters.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  /** Reads a quoted string or a token starting at {@code from}; returns the index after its ';'. */
  private static int readValue(String header, int from, StringBuilder out) {
    int i = from;
    while (i < header.length() && Character.isWhitespace(header.charAt(i))) {
      i++;
    }
    if (i < header.length() && header.charAt(i) == '"') {
      i++;
      while (i < header.length() && header.charAt(i) != '"') {
        char c = header.charAt(i);
        if (c == '\\' && i + 1 < header.length()) {
          c = header.charAt(++i);
        }
        out.append(c);
        i++;
      }
      int next = header.indexOf(';', i);
      return next < 0 ? header.length() : next + 1;
    }
    int next = header.indexOf(';', i);
    int end = next < 0 ? header.length() : next;
    out.append(header, i, end);
    int len = out.length();
    while (len > 0 && Character.isWhitespace(out.charAt(len - 1))) {
      len--;
    }
    out.setLength(len);
    return end + 1;
  }

  private record Segment(String text, boolean encoded) {}

  private static void collect(String name, String value, Map<String, String> plain,
      Map<String, TreeMap<Integer, Segment>> extended) {
    int star = name.indexOf('*');
    if (star < 0) {
      plain.putIfAbsent(name, value);
      return;
    }
    String base = name.substring(0, star);
    String rest = name.substring(star + 1);
    boolean encoded = rest.endsWith("*") || rest.isEmpty();
    String index = rest.endsWith("*") ? rest.substring(0, rest.length() - 1) : rest;
    int n;
    if (index.isEmpty()) {
      n = 0;
    } else if (index.length() <= 3 && index.chars().allMatch(c -> c >= '0' && c <= '9')) {
      n = Integer.parseInt(index);
    } else {
      return;
    }
    if (base.isEmpty() || n > MAX_SEGMENT) {
      return;
    }
    extended.computeIfAbsent(base, k -> new TreeMap<>()).putIfAbsent(n, new Segment(value, encoded));
  }

  /** Joins continuation segments (RFC 2231 §3, §4.1): octets first, then one decode. */
  private static String join(TreeMap<Integer, Segment> segments) {
    String charset = null;
    ByteArrayOutputStream octets = new ByteArrayOutputStream();
    for (Map.Entry<Integer, Segment> e : segments.entrySet()) {
      Segment s = e.getValue();
      String text = s.text();
      if (s.encoded() && e.getKey() == 0) {
        int first = text.indexOf('\'');
        int second = first < 0 ? -1 : text.indexOf('\'', first + 1);
        if (second > 0) {
          charset = text.substring(0, first);
          text = text.substring(second + 1);
        }
      }
      Charset cs = TextDecoding.charset(charset).orElse(StandardCharsets.UTF_8);
      octets.writeBytes(s.encoded() ? percentDecode(text) : text.getBytes(cs));
    }
    byte[] bytes = octets.toByteArray();
    Optional<Charset> cs = TextDecoding.charset(charset);
    return cs.isPresent() ? new String(bytes, cs.get())
        : TextDecoding.decodeUnlabelled(bytes, bytes.length);
  }

  private static byte[] percentDecode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()
          && EncodedWords.hex(text.charAt(i + 1)) >= 0 && EncodedWords.hex(text.charAt(i + 2)) >= 0) {
        out.write(EncodedWords.hex(text.charAt(i + 1)) * 16 + EncodedWords.hex(text.charAt(i + 2)));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }
}
