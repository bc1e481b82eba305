package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InboxSeedTest {

  @Test
  void everyCursorLeavesAFullPageOlderThanItAndStaysInTheMailbox() {
    Instant base = Instant.parse("2026-12-01T00:00:00Z");
    int messages = 200;
    List<String> targets = InboxSeed.listTargets(base, messages, 500, new Random(1));
    assertThat(targets).hasSize(500);
    for (String target : targets) {
      assertThat(target).startsWith("/v1/inbox/messages?limit=50&before=");
      Instant before = Instant.parse(target.substring(target.indexOf("before=") + 7));
      // message i is received at base + i s: count those strictly before the cursor
      long older = (before.toEpochMilli() - base.toEpochMilli() + 999) / 1000;
      assertThat(older).isBetween(50L, (long) messages);
      assertThat(before.getNano() % 1_000_000_000).isEqualTo(500_000_000); // never on a message
    }
    assertThat(targets.stream().distinct().count()).isGreaterThan(100); // spread, not one page
  }

  @Test
  void rotatedTargetsMustBePaths() {
    var template = Workload.GET.template(new Workload.Spec("http://127.0.0.1:1/x", null, null,
        List.of(), 0, 0, 0));
    assertThat(template.rotating(List.of("/a?b=1")).rotation()).containsExactly("/a?b=1");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> template.rotating(List.of("http://elsewhere/a"))).isInstanceOf(IllegalArgumentException.class);
  }
}
