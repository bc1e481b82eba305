package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real recording of this JVM: a method burning CPU must come out on top. */
class JfrHotFramesTest {

  /** Kept in a field so the JIT cannot drop the loop. */
  static volatile long sink;

  static void burnCpuInAKnownMethod(Duration length) {
    long end = System.nanoTime() + length.toNanos();
    long x = 1;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    }
    sink = x;
  }

  @Test
  void hotMethodOfTheWindowRanksFirstAndSamplesOutsideAreIgnored(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("test.jfr");
    Instant from;
    Instant until;
    try (Recording recording = new Recording()) {
      recording.enable(JfrHotFrames.EXECUTION_SAMPLE).withPeriod(Duration.ofMillis(10));
      recording.start();
      from = Instant.now();
      burnCpuInAKnownMethod(Duration.ofMillis(1500));
      until = Instant.now();
      recording.stop();
      recording.dump(file);
    }

    HotFrames inWindow = JfrHotFrames.summarise(file, List.of(new HotFrames.Window(from, until)),
        "dev.postern.bench.");
    HotFrames before = JfrHotFrames.summarise(file,
        List.of(new HotFrames.Window(from.minusSeconds(60), from.minusSeconds(30))),
        "dev.postern.bench.");

    String burner = JfrHotFramesTest.class.getName() + ".burnCpuInAKnownMethod";
    // ~150 samples at 10 ms; a loaded machine still gives dozens.
    assertThat(inWindow.samples()).isGreaterThan(10);
    assertThat(inWindow.topSelf(1).get(0).name()).isEqualTo(burner);
    assertThat(inWindow.topSelf(1).get(0).share()).isGreaterThan(0.5);
    assertThat(inWindow.topOwn(1).get(0).name()).isEqualTo(burner);
    assertThat(inWindow.threadGroups().get(0).name()).isEqualTo("main");
    assertThat(before.samples()).isZero();
    assertThat(before.outside()).isEqualTo(inWindow.samples() + inWindow.outside());
  }
}
