package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md SMTP 10, on the parser: MIME bombs end in a {@code failed} parse quickly, with what
 * was read before the cap kept, never an exception — and the stream is read no further than the
 * cap needs, which is what bounds memory (an unbounded parse of these would not fit the test JVM's
 * 1 GiB heap, or its stack).
 */
class MimeBombsTest {

  /** Generous for a loaded 2-core machine; an unbounded parse of these takes far longer or dies. */
  private static final Duration QUICK = Duration.ofSeconds(10);

  private final Mime4jMailParser parser = new Mime4jMailParser();

  private static final String TOP = "From: bomb@example.com\r\nSubject: bomb\r\n"
      + "Content-Type: multipart/mixed; boundary=top\r\n\r\n"
      + "--top\r\nContent-Type: text/plain\r\n\r\nread before the bomb\r\n--top\r\n";

  private ParsedMail timed(Supplier<ParsedMail> parse) {
    long start = System.nanoTime();
    ParsedMail mail = parse.get();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICK);
    return mail;
  }

  /** Level i opens multipart i inside the part of level i - 1 and never closes it. */
  private static GeneratedStream nested(int levels) {
    return new GeneratedStream(TOP, levels,
        i -> "Content-Type: multipart/mixed; boundary=n" + i + "\r\n\r\n--n" + i + "\r\n",
        "Content-Type: text/plain\r\n\r\ndeepest\r\n");
  }

  @Test
  void multipartsNestedTenThousandDeepStopAtTheDepthCap() {
    GeneratedStream bomb = nested(10_000);
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("nested deeper than 20"));
    assertThat(mail.text()).contains("read before the bomb");
    assertThat(mail.subject()).isEqualTo("bomb");
    assertThat(bomb.consumed()).isLessThan(64 * 1024);
  }

  @Test
  void multipartsNestedHundredThousandDeepStopAtTheDepthCap() {
    GeneratedStream bomb = nested(100_000);
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.text()).contains("read before the bomb");
    assertThat(bomb.consumed()).isLessThan(64 * 1024);
  }

  @Test
  void nestingExactlyAtTheCapParsesWhole() {
    // TOP opens depth 1, so 19 more levels reach the default cap of 20 exactly.
    ParsedMail mail = parser.parse(nested(19));
    assertThat(mail.failed()).isFalse();
    assertThat(mail.problems()).isEmpty();
    assertThat(mail.attachments()).singleElement()
        .satisfies(a -> assertThat(new String(a.content(), StandardCharsets.US_ASCII))
            .isEqualTo("deepest\r\n"));
  }

  @Test
  void aStackTooSmallForMime4jEndsInAFailedParseNotAStackOverflowError() throws Exception {
    // Defence in depth: with a depth cap mime4j could not survive on a tiny stack, the overflow is
    // caught and reported like any other failure.
    Mime4jMailParser deep = new Mime4jMailParser(new ParseLimits(200, 500, 1000, 65_536, 32_768,
        4 << 20, 40 << 20));
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread thread = new Thread(null, () -> {
      try {
        outcome.set(deep.parse(nested(10_000)));
      } catch (Throwable t) {
        outcome.set(t);
      }
    }, "tiny-stack", 96 * 1024);
    thread.start();
    thread.join(QUICK.toMillis());
    assertThat(outcome.get()).isInstanceOf(ParsedMail.class);
    ParsedMail mail = (ParsedMail) outcome.get();
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p ->
        assertThat(p).containsAnyOf("stack overflow", "nested deeper than 200"));
  }

  @Test
  void aHundredThousandTinyPartsStopAtThePartCap() {
    GeneratedStream bomb = new GeneratedStream(TOP, 100_000,
        i -> "Content-Type: application/octet-stream\r\n\r\nx\r\n--top\r\n", "");
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("more than 500 MIME parts"));
    assertThat(mail.text()).contains("read before the bomb");
    // the message, the text part, and 498 tiny attachments fill the 500
    assertThat(mail.attachments()).hasSize(498);
    assertThat(bomb.consumed()).isLessThan(1 << 20);
  }

  @Test
  void aMillionHeaderFieldsStopAtTheFieldCap() {
    GeneratedStream bomb = new GeneratedStream("Subject: many\r\n", 1_000_000,
        i -> "X-Filler: " + i + "\r\n", "\r\nbody\r\n");
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems())
        .anySatisfy(p -> assertThat(p).contains("more than 1000 header fields"));
    assertThat(mail.subject()).isEqualTo("many");
    assertThat(mail.headers()).hasSize(1000);
    assertThat(bomb.consumed()).isLessThan(1 << 20);
  }

  @Test
  void aMillionFoldedLinesOfOneFieldStopAtTheHeaderByteCap() {
    GeneratedStream bomb = new GeneratedStream("Subject: first\r\nX-Long: start\r\n", 1_000_000,
        i -> " continuation " + i + "\r\n", "\r\nbody\r\n");
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("header field longer than"));
    assertThat(mail.subject()).isEqualTo("first");
    assertThat(bomb.consumed()).isLessThan(1 << 20);
  }

  @Test
  void aMillionHeaderFieldsInsideAPartStopAtTheFieldCap() {
    GeneratedStream bomb = new GeneratedStream(TOP, 1_000_000, i -> "X-Filler: " + i + "\r\n",
        "\r\nbody\r\n--top--\r\n");
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.text()).contains("read before the bomb");
    assertThat(bomb.consumed()).isLessThan(1 << 20);
  }

  @Test
  void aHeaderBlockOverTheByteCapStops() {
    GeneratedStream bomb = new GeneratedStream("Subject: fat\r\n", 900,
        i -> "X-Filler: " + "y".repeat(100) + "\r\n", "\r\nbody\r\n");
    ParsedMail mail = parser.parse(bomb);
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems())
        .anySatisfy(p -> assertThat(p).contains("header block longer than 65536 bytes"));
  }

  @Test
  void aHeaderLineOverTheLineCapStops() {
    ParsedMail mail = parser.parse(new ByteArrayInputStream(("Subject: ok\r\nX-Long: "
        + "z".repeat(40_000) + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII)));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("line length"));
  }

  @Test
  void aBase64PartOfAGibibyteStopsAtTheAttachmentCapKeepingEarlierAttachments() {
    String first = "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + "JVBERi0xLjQK\r\n--top\r\n";
    String bombHead = first + "Content-Type: application/zip\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n";
    String line = "A".repeat(76) + "\r\n"; // 57 decoded octets per line
    GeneratedStream bomb = new GeneratedStream(TOP + bombHead, (1L << 30) / 57, i -> line,
        "\r\n--top--\r\n");
    ParsedMail mail = timed(() -> parser.parse(bomb));
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("attachments larger than"));
    assertThat(mail.text()).contains("read before the bomb");
    assertThat(mail.attachments()).singleElement()
        .satisfies(a -> assertThat(a.content()).startsWith('%', 'P', 'D', 'F'));
    // stopped just past the cap: 40 MiB decoded is about 54 MiB of base64 lines
    assertThat(bomb.consumed()).isLessThan(60L << 20);
  }

  @Test
  void aTextBodyOverTheBodyCapIsCutAndTheRestStillParsed() {
    Mime4jMailParser small = new Mime4jMailParser(new ParseLimits(20, 500, 1000, 65_536, 32_768,
        1000, 40 << 20));
    GeneratedStream message = new GeneratedStream(
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n",
        100, i -> "0123456789".repeat(5) + "\r\n",
        "--b\r\nContent-Type: image/gif\r\n\r\nGIF89a\r\n--b--\r\n");
    ParsedMail mail = small.parse(message);
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("the first 1000 were kept"));
    assertThat(mail.text().orElseThrow()).hasSize(1000).startsWith("0123456789");
    assertThat(mail.attachments()).singleElement()
        .satisfies(a -> assertThat(a.filename()).isEqualTo("attachment-1.gif"));
  }

  @Test
  void aStreamThatBreaksMidwayKeepsWhatWasRead() {
    InputStream broken = new SequenceInputStream(
        new ByteArrayInputStream((TOP + "Content-Type: text/html\r\n\r\n<p>half"
            + " of a long paragraph".repeat(1000)).getBytes(StandardCharsets.US_ASCII)),
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("connection reset");
          }
        });
    ParsedMail mail = parser.parse(broken);
    assertThat(mail.failed()).isTrue();
    assertThat(mail.problems()).anySatisfy(p -> assertThat(p).contains("connection reset"));
    assertThat(mail.text()).contains("read before the bomb");
    assertThat(mail.subject()).isEqualTo("bomb");
    // what mime4j handed over of the html before the break (it reads ahead to find boundaries)
    assertThat(mail.html().orElseThrow()).startsWith("<p>half of a long paragraph");
  }
}
