package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitWarmupTest {

  @TempDir
  Path proc;

  /** Compiler ticks each round adds, in order; a round lasts ~20 ms of wall time. */
  private List<String> rounds(JitWarmup warmup, int minRounds, long... ticksPerRound)
      throws Exception {
    compilerTicks(0);
    List<String> ran = new ArrayList<>();
    long[] total = {0};
    warmup.run("test", minRounds, () -> {
      int n = ran.size();
      total[0] += n < ticksPerRound.length ? ticksPerRound[n] : 0;
      compilerTicks(total[0]);
      Thread.sleep(20);
      ran.add("round " + (n + 1));
      return "round " + (n + 1);
    });
    return ran;
  }

  @Test
  void repeatsRoundsUntilTheCompilersWereQuietOverOne() throws Exception {
    // 100 ticks a second: 20 ticks in a ~20 ms round is ~10 cores, 0 ticks is quiet.
    JitWarmup warmup = new JitWarmup().watching(new JitCompilerCpu(proc, 42), 100);

    assertThat(rounds(warmup, 1, 20, 20, 20, 0, 20)).hasSize(4);
  }

  @Test
  void runsTheMinimumEvenWhenQuietFromTheStart() throws Exception {
    JitWarmup warmup = new JitWarmup().watching(new JitCompilerCpu(proc, 42), 100);

    assertThat(rounds(warmup, 2, 0, 0, 0)).hasSize(2);
  }

  @Test
  void withoutAJvmToWatchOnlyTheMinimumRuns() throws Exception {
    assertThat(rounds(new JitWarmup().watching(null), 0, 20)).isEmpty();
    assertThat(rounds(new JitWarmup().watching(null), 1, 20, 20)).hasSize(1);
  }

  @Test
  void aZeroQuietShareTurnsTheRepeatsOff() throws Exception {
    JitWarmup warmup = new JitWarmup().watching(new JitCompilerCpu(proc, 42), 100);
    warmup.quietCores = 0;

    assertThat(rounds(warmup, 1, 20, 20, 20)).hasSize(1);
  }

  @Test
  void noRoundStartsAfterTheMaximum() throws Exception {
    JitWarmup warmup = new JitWarmup().watching(new JitCompilerCpu(proc, 42), 100);
    warmup.max = Duration.ofMillis(50);

    // Never quiet: stops once a round ends past 50 ms (each lasts ~20 ms).
    List<String> ran = rounds(warmup, 1, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20);
    assertThat(ran.size()).isBetween(2, 4);
  }

  @Test
  void aGoneJvmEndsTheWarmUp() throws Exception {
    JitWarmup warmup = new JitWarmup().watching(new JitCompilerCpu(proc, 7), 100); // no /proc/7

    assertThat(rounds(warmup, 1, 20, 20)).hasSize(1);
  }

  private void compilerTicks(long ticks) throws Exception {
    Path task = Files.createDirectories(proc.resolve("42/task/43"));
    Files.writeString(task.resolve("comm"), "C2 CompilerThre\n");
    Files.writeString(task.resolve("stat"), "43 (C2 CompilerThre) S 42 42 42 0 -1 0 0 0 0 0 "
        + ticks + " 0 0 0 20 0 1 0 1 1 1\n");
  }
}
