package dev.postern.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * A warm-up that lasts until the JIT is done (BENCHMARKS.md: "warm-up before measuring (JIT)"):
 * rounds of load are repeated until the measured JVM's compiler threads ({@link JitCompilerCpu})
 * used at most {@code --warmup-jit-quiet} cores over a whole round, or {@code --warmup-max} has
 * passed. A fixed warm-up is only long enough on the machine it was tuned on: on a slower VM
 * (session 24) C2 still took 0.3–0.66 of the two cores through the first 20 s (send-small) to
 * 70 s (e2e-relay) of the measured phase after a 10-s warm-up. A picocli mixin.
 */
final class JitWarmup {

  @Option(names = "--warmup-jit-pid",
      description = "warm up until this JVM's (or its launcher's) JIT compilers are quiet")
  Long pid;

  @Option(names = "--warmup-jit-quiet", defaultValue = "0.10",
      description = "quiet: the compilers used at most this many cores over a warm-up round")
  double quietCores = 0.10;

  @Option(names = "--warmup-max", defaultValue = "300s", converter = BenchUnits.Time.class,
      description = "no further warm-up round starts after this long")
  Duration max = Duration.ofSeconds(300);

  /** One round of warm-up load; returns what it did, for the log line. */
  interface Round {
    String run() throws Exception;
  }

  /** A reading to measure the compilers' cores from. */
  record Mark(long ticks, long nanos) {}

  private JitCompilerCpu compilers;
  private double ticksPerSecond;

  /** The JVM to watch: {@code --warmup-jit-pid}, else {@code fallbackPid} (may be null). */
  JitWarmup watching(Long fallbackPid) {
    Long target = pid != null ? pid : fallbackPid;
    if (target != null && compilers == null) {
      watching(new JitCompilerCpu(Path.of("/proc"), CostProbe.javaProcess(target)),
          CostProbe.clockTicksPerSecond());
    }
    return this;
  }

  /** Watches {@code compilers} (tests: a /proc of their own), {@code ticksPerSecond} its unit. */
  JitWarmup watching(JitCompilerCpu compilers, double ticksPerSecond) {
    this.compilers = compilers;
    this.ticksPerSecond = ticksPerSecond;
    return this;
  }

  boolean enabled() {
    return compilers != null && quietCores > 0;
  }

  /**
   * Runs {@code round} until the compilers are quiet: at least {@code minRounds} times, and
   * while enabled, again after every round whose compilers used more than the quiet share, as
   * long as {@code --warmup-max} has not passed since the first.
   */
  void run(String tag, int minRounds, Round round) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    for (int n = 1; ; n++) {
      if (n > minRounds && !enabled()) {
        return;
      }
      Mark mark = mark();
      String did = round.run();
      double cores = coresSince(mark);
      System.err.printf(Locale.ROOT, "[%s] warm-up round %d: %s; JIT compilers %s%n", tag, n, did,
          describe(cores));
      if (n >= minRounds && (cores >= 0 && cores <= quietCores || cores < 0
          || System.nanoTime() > deadline)) {
        return;
      }
    }
  }

  Mark mark() {
    return new Mark(compilers == null ? -1 : compilers.ticks(), System.nanoTime());
  }

  /** The compilers' cores since {@code mark}; -1 when not measured. */
  double coresSince(Mark mark) {
    long ticks = compilers == null || mark.ticks() < 0 ? -1 : compilers.ticks();
    double seconds = (System.nanoTime() - mark.nanos()) / 1e9;
    return ticks < 0 || seconds <= 0 ? -1
        : Math.max(0, ticks - mark.ticks()) / ticksPerSecond / seconds;
  }

  static String describe(double cores) {
    return cores < 0 ? "not measured" : String.format(Locale.ROOT, "%.2f cores", cores);
  }
}
