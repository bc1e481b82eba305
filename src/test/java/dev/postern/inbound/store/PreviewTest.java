package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The list item's {@code preview} (SPEC §3): first 200 characters of the collapsed text body. */
class PreviewTest {

  private static NewMessage withText(String text) {
    return new NewMessage(UUID.randomUUID(), "inbox", UUID.randomUUID(), null, Instant.EPOCH, 1,
        false, false, null, null, null, null, List.of(), null, null, List.of(), List.of(), null,
        null, null, text, null, List.of(), Set.of());
  }

  /** The definition, read over the whole body. */
  private static String reference(String text) {
    String collapsed = text.strip().replaceAll("\\s+", " ");
    return collapsed.length() <= 200 ? collapsed
        : collapsed.substring(0, Character.isHighSurrogate(collapsed.charAt(199)) ? 199 : 200);
  }

  @Test
  void collapsesWhiteSpaceAndCutsAt200Characters() {
    assertThat(withText(null).preview()).isNull();
    assertThat(withText(" \r\n\t ").preview()).isEmpty();
    assertThat(withText("  Hello,\r\n\r\n  world \t!\n").preview()).isEqualTo("Hello, world !");
    assertThat(withText("x".repeat(199) + "\uD83D\uDE00tail").preview()).isEqualTo("x".repeat(199));
    assertThat(withText("word ".repeat(10_000)).preview()).hasSize(200).startsWith("word word");
  }

  @Test
  void agreesWithTheDefinitionOnRandomBodies() {
    // Unicode white space that regex \s does not match (EM SPACE, FS) and surrogate pairs near
    // the cut are where a hand-written scan could part from strip() + replaceAll.
    String[] pieces = {"a", "Z", " ", "\t", "\r\n", "\u000B", "\f", "\u2003", "\u001C", "\u00A0",
        "\uD83D\uDE00", "  ", "é"};
    Random random = new Random(42);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(260);
      for (int k = 0; k < length; k++) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String body = text.toString();
      assertThat(withText(body).preview()).as("body %s", body.codePoints().boxed().toList())
          .isEqualTo(reference(body));
    }
  }
}
