package dev.postern.delivery.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The streaming relaxed body hash against RFC 6376 §3.4.4 written out line by line, for bodies
 * built from what the canonicalisation turns on (CR, LF, SP, HTAB, runs of ordinary octets) fed
 * in chunks of every size.
 */
class RelaxedBodyHashPropertiesTest {

  @Property(tries = 3000)
  void streamedHashIsTheHashOfTheCanonicalBody(@ForAll("bodies") String body,
      @ForAll @IntRange(min = 1, max = 64) int chunk) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
    RelaxedBodyHash hash = new RelaxedBodyHash();
    for (int at = 0; at < bytes.length; at += chunk) {
      hash.update(bytes, at, Math.min(chunk, bytes.length - at));
    }
    byte[] expected = MessageDigest.getInstance("SHA-256")
        .digest(canonical(body).getBytes(StandardCharsets.ISO_8859_1));
    assertThat(hash.finish()).as("body %s", body.replace("\r", "\\r").replace("\n", "\\n"))
        .isEqualTo(expected);
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.of("\r\n", "\n", "\r", " ", "\t", "  \t ", "\r\r\n", " \r\n", "\t\n"),
        Arbitraries.strings().withChars("abcXYZ.=-:\u00e9\u00ff").ofMinLength(1).ofMaxLength(300));
    return piece.list().ofMaxSize(40).map(parts -> String.join("", parts));
  }

  /** §3.4.4, a line at a time: a line ends at LF (after an optional CR); a bare CR is content. */
  private static String canonical(String body) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int lf = body.indexOf('\n'); lf >= 0; lf = body.indexOf('\n', start)) {
      int end = lf > start && body.charAt(lf - 1) == '\r' ? lf - 1 : lf;
      lines.add(body.substring(start, end));
      start = lf + 1;
    }
    if (start < body.length()) {
      lines.add(body.substring(start));
    }
    List<String> relaxed = new ArrayList<>();
    for (String line : lines) {
      relaxed.add(line.replaceAll("[ \t]+", " ").replaceAll(" \\z", "")); // not " $": $ also matches before a final CR
    }
    while (!relaxed.isEmpty() && relaxed.get(relaxed.size() - 1).isEmpty()) {
      relaxed.remove(relaxed.size() - 1);
    }
    StringBuilder out = new StringBuilder();
    relaxed.forEach(line -> out.append(line).append("\r\n"));
    return out.toString();
  }
}
