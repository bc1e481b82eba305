package dev.postern.send;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators of text aimed at header injection, folding, encoding and boundary mistakes. */
final class HostileText {

  private static final char[] EDGES = {
      '\r', '\n', '\u0000', '\t', ' ', ' ', ' ', '\u2028', '\u2029', '\u0085', '\u007f', ':', ';',
      '"', '\\', '<', '>', '@', ',', '=', '?', '_', '-', '.', 'F', 'r', 'o', 'm', 'é', 'ß', '中',
      '\u00a0', '\ufeff', '\ud83c', '\udf89', 'a', 'Z', '0'};

  private HostileText() {}

  /** Anything: edge characters, fragments of injections and encodings, any Unicode. */
  static Arbitrary<String> any() {
    Arbitrary<String> edges = Arbitraries.strings().withChars(EDGES).ofMaxLength(120);
    Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(60);
    Arbitrary<String> fragments = Arbitraries.of(
        "\r\nBcc: x@evil.example", "\nX-Injected: 1", "\r\n\r\n--", "=?UTF-8?B?QmNjOiB4?=",
        "--=_postern_", "\r\n.\r\n", "From ", "a@b>\r\nRCPT TO:<x@evil>", "=_", "=\r\n",
        " ".repeat(80), "x".repeat(100), "é".repeat(40), "🎉".repeat(30));
    return Arbitraries.oneOf(edges, unicode,
        Arbitraries.strings().withChars(EDGES).ofMaxLength(20).list().ofMaxSize(4)
            .flatMap(parts -> fragments.list().ofMaxSize(4).map(f -> interleave(parts, f))));
  }

  /** Text every header field accepts: no controls, line separators or lone surrogates. */
  static Arbitrary<String> headerSafe() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(200),
        Arbitraries.strings().withChars(" \t=?_\"\\<>:;,.-éß中🎉".toCharArray())
            .withCharRange('a', 'e').ofMaxLength(200),
        Arbitraries.strings().all().ofMaxLength(120))
        .map(HostileText::headerSafeOnly);
  }

  private static String headerSafeOnly(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().filter(cp -> !(cp < 0x20 && cp != '\t') && cp != 0x7f && cp != 0x85
            && cp != 0x2028 && cp != 0x2029 && !(cp >= 0xD800 && cp <= 0xDFFF))
        .forEach(out::appendCodePoint);
    return out.toString();
  }

  private static String interleave(java.util.List<String> a, java.util.List<String> b) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      out.append(i < a.size() ? a.get(i) : "").append(i < b.size() ? b.get(i) : "");
    }
    return out.toString();
  }
}
