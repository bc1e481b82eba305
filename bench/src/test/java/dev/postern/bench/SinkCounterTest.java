package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkCounterTest {

  @Test
  void readsTheLastCompleteRecord() {
    assertThat(SinkCounter.parse("sess=0 quit=0 mesg=98\rsess=1 quit=1 mesg=99\r")).isEqualTo(99);
    // The record being written has no carriage return yet: "mesg=1" may be "mesg=100" soon.
    assertThat(SinkCounter.parse("sess=1 quit=1 mesg=99\rsess=1 quit=1 mesg=1")).isEqualTo(99);
    assertThat(SinkCounter.parse("")).isZero();
    assertThat(SinkCounter.parse("sess=0 qu")).isZero();
  }

  @Test
  void watchesAFileGrowAndFindsWhenATargetWasReached(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sink.out");
    var sink = new SinkCounter(file);
    assertThat(sink.messages()).isZero();
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 500; i++) {
      text.append("sess=0 quit=0 mesg=").append(i).append('\r');
    }
    Files.writeString(file, text);
    assertThat(sink.messages()).isEqualTo(500);

    try (var watch = new ArrivalWatch(sink)) {
      assertThat(watch.initial()).isEqualTo(500);
      long before = System.nanoTime();
      Files.writeString(file, text + "sess=1 quit=1 mesg=501\rsess=1 quit=1 mesg=502\r");
      long reached = watch.awaitCount(502, Duration.ofSeconds(5));
      assertThat(reached).isGreaterThanOrEqualTo(before);
      assertThat(watch.countAt(reached)).isEqualTo(502);
    }
  }
}
