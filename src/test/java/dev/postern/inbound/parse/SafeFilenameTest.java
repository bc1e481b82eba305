package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SafeFilenameTest {

  @Test
  void anOrdinaryNameIsKept() {
    assertThat(SafeFilename.of("Rechnung Jürgen (2).pdf", "application/pdf", 1))
        .isEqualTo("Rechnung Jürgen (2).pdf");
    assertThat(SafeFilename.of("Bob's notes.txt", "text/plain", 1)).isEqualTo("Bob's notes.txt");
  }

  @Test
  void pathSeparatorsQuotesAndControlCharactersAreRemoved() {
    assertThat(SafeFilename.of("../../etc/passwd", "text/plain", 1)).isEqualTo("etcpasswd");
    assertThat(SafeFilename.of("C:\\Windows\\evil.exe", "x/y", 1)).isEqualTo("C:Windowsevil.exe");
    assertThat(SafeFilename.of("a\"b\r\nContent-Type: text/html.txt", "text/plain", 1))
        .isEqualTo("abContent-Type: text/html.txt".replace("/", ""));
    assertThat(SafeFilename.of("tab\there\u0000nul\u007fdel\u0085nel.doc", "x/y", 1))
        .isEqualTo("tabherenuldelnel.doc");
  }

  @Test
  void bidiOverridesAndZeroWidthCharactersAreRemoved() {
    // U+202E makes "invoice_\u202Efdp.exe" display as "invoice_exe.pdf"
    assertThat(SafeFilename.of("invoice_\u202Efdp.exe", "x/y", 1)).isEqualTo("invoice_fdp.exe");
    assertThat(SafeFilename.of("a\u200Bb\uFEFF.txt", "x/y", 1)).isEqualTo("ab.txt");
  }

  @Test
  void dotNamesEmptyNamesAndMissingNamesAreMadeUpFromTheType() {
    assertThat(SafeFilename.of(".", "application/pdf", 3)).isEqualTo("attachment-3.pdf");
    assertThat(SafeFilename.of("..", "image/png", 1)).isEqualTo("attachment-1.png");
    assertThat(SafeFilename.of("  ", "text/calendar", 2)).isEqualTo("attachment-2.ics");
    assertThat(SafeFilename.of(null, "message/rfc822", 4)).isEqualTo("attachment-4.eml");
    assertThat(SafeFilename.of("/\\", "application/x-unheard-of", 5)).isEqualTo("attachment-5.bin");
    assertThat(SafeFilename.of(null, "text/x-weird", 6)).isEqualTo("attachment-6.txt");
  }

  @Test
  void trailingDotsAndSpacesAreTrimmed() {
    assertThat(SafeFilename.of("  report.pdf. . ", "x/y", 1)).isEqualTo("report.pdf");
  }

  @Test
  void aLongNameIsCutToTheByteLimitKeepingItsExtension() {
    String name = "ü".repeat(300) + ".pdf";
    String safe = SafeFilename.of(name, "application/pdf", 1);
    assertThat(safe).endsWith(".pdf").startsWith("üü");
    assertThat(safe.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255).isEqualTo(254);
    String emoji = SafeFilename.of("🎉".repeat(100) + ".png", "image/png", 1);
    assertThat(emoji).endsWith(".png");
    assertThat(emoji.codePoints().filter(c -> c == 0x1F389).count()).isEqualTo(62);
  }

  @Test
  void decomposedNamesAreNormalisedToNfc() {
    assertThat(SafeFilename.of("Cafe\u0301.txt", "text/plain", 1)).isEqualTo("Café.txt");
  }

  @Provide
  Arbitrary<String> hostileNames() {
    Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(600);
    Arbitrary<String> nasty = Arbitraries.strings()
        .withChars('/', '\\', '"', '.', ' ', '\r', '\n', '\u0000', '\u202E', '\u200B', 'a', 'é',
            '\uD83C', '\uDF89', '\u0301')
        .ofMaxLength(400);
    return Arbitraries.oneOf(anything, nasty, nasty.map(s -> s + ".pdf"));
  }

  @Property(tries = 2000)
  void everyResultIsSafe(@ForAll("hostileNames") String name,
      @ForAll @IntRange(min = 1, max = 500) int ordinal) {
    String safe = SafeFilename.of(name, "application/pdf", ordinal);
    assertThat(safe).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..");
    assertThat(safe.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    assertThat(safe).doesNotContain("/", "\\", "\"", "\r", "\n");
    assertThat(safe.codePoints()).noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || Character.getType(c) == Character.FORMAT || (c >= 0xD800 && c <= 0xDFFF));
    assertThat(safe).doesNotStartWith(" ").doesNotEndWith(" ").doesNotEndWith(".");
  }

  @Property(tries = 1000)
  void cleaningIsIdempotent(@ForAll("hostileNames") String name) {
    String once = SafeFilename.of(name, "application/pdf", 1);
    assertThat(SafeFilename.of(once, "application/pdf", 1)).isEqualTo(once);
  }

  @Property(tries = 500)
  void aShortExtensionSurvivesShortening(@ForAll @IntRange(min = 1, max = 2000) int length,
      @ForAll("extensions") String extension) {
    String safe = SafeFilename.of("n".repeat(length) + "." + extension, "x/y", 1);
    assertThat(safe).endsWith("." + extension);
  }

  @Provide
  Arbitrary<String> extensions() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(10);
  }
}
