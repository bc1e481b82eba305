package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayInputStream;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the octets, the parser answers a {@link ParsedMail} and never throws (TESTING.md). */
class Mime4jMailParserPropertiesTest {

  private static final List<String> RESOURCES = List.of("outlook-mixed-alternative.eml",
      "gmail-alternative.eml", "apple-inline-image.eml", "japanese-iso-2022-jp.eml",
      "thunderbird-reply.eml", "forwarded-rfc822.eml");

  private final Mime4jMailParser parser = new Mime4jMailParser();

  @Provide
  Arbitrary<byte[]> mutatedMessages() {
    Arbitrary<byte[]> message = Arbitraries.of(RESOURCES).map(Mime4jMailParserTest::resource);
    Arbitrary<List<int[]>> edits = Arbitraries.integers().between(0, Integer.MAX_VALUE)
        .array(int[].class).ofSize(3).list().ofMaxSize(30);
    return Combinators.combine(message, edits).as(Mime4jMailParserPropertiesTest::mutate);
  }

  /** Each edit overwrites, deletes or duplicates a run of octets at a random place. */
  private static byte[] mutate(byte[] original, List<int[]> edits) {
    byte[] b = original.clone();
    for (int[] e : edits) {
      if (b.length == 0) {
        break;
      }
      int at = e[0] % b.length;
      int len = Math.min(e[1] % 64, b.length - at);
      switch (e[2] % 3) {
        case 0 -> {
          for (int i = 0; i < len; i++) {
            b[at + i] = (byte) (e[2] >>> (i % 24));
          }
        }
        case 1 -> {
          byte[] shorter = new byte[b.length - len];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + len, shorter, at, b.length - at - len);
          b = shorter;
        }
        default -> {
          byte[] longer = new byte[b.length + len];
          System.arraycopy(b, 0, longer, 0, at + len);
          System.arraycopy(b, at, longer, at + len, b.length - at);
          b = longer;
        }
      }
    }
    return b;
  }

  /** A failure must come from the message (mime4j, a cap), never from a bug of ours it hides. */
  private static void noBugOfOurs(ParsedMail mail) {
    assertThat(mail.problems()).noneMatch(p -> p.matches(".*(NullPointer|IndexOutOfBounds"
        + "|IllegalArgument|IllegalState|NumberFormat|ClassCast|Arithmetic|Unsupported)Exception.*"));
    assertThat(mail.attachments()).allSatisfy(a -> assertThat(a.filename()).isNotEmpty());
  }

  @Property(tries = 1000)
  void mutatedRealMessagesNeverMakeItThrow(@ForAll("mutatedMessages") byte[] raw) {
    assertThatCode(() -> noBugOfOurs(parser.parse(new ByteArrayInputStream(raw))))
        .doesNotThrowAnyException();
  }

  @Property(tries = 500)
  void randomOctetsNeverMakeItThrow(@ForAll byte[] raw) {
    assertThatCode(() -> noBugOfOurs(parser.parse(new ByteArrayInputStream(raw))))
        .doesNotThrowAnyException();
  }
}
