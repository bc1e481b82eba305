package dev.postern.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU a JVM's JIT compiler threads have used so far, read from {@code /proc/<pid>/task}:
 * HotSpot names them {@code C1 CompilerThread<n>} and {@code C2 CompilerThread<n>} (the kernel
 * keeps 15 characters of a thread's name: {@code C2 CompilerThre}). A warm-up is over when these
 * threads go quiet; while they run, a measured window measures the compiler, not the gateway
 * (e2e-relay on a slower VM, session 24: C2 alone took 0.3–0.46 of the two cores for the first
 * ~70 s of load, after the scenario's 10-s warm-up had ended).
 *
 * <p>Threads that exit (HotSpot starts and stops compiler threads with the demand) take their
 * ticks with them, so a difference of two readings can undercount a window: it errs towards
 * "quiet", which is why a warm-up also has a floor ({@code --warmup}) of its own.
 */
final class JitCompilerCpu {

  private final Path proc;
  private final long pid;

  /** @param proc normally {@code /proc}; tests hand a directory of their own */
  JitCompilerCpu(Path proc, long pid) {
    this.proc = proc;
    this.pid = pid;
  }

  /** The compiler threads' user + system CPU, in clock ticks; -1 when the process is gone. */
  long ticks() {
    Path tasks = proc.resolve(Long.toString(pid)).resolve("task");
    long ticks = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        ticks += compilerTicks(thread);
      }
    } catch (IOException e) {
      return -1;
    }
    return ticks;
  }

  private static long compilerTicks(Path thread) {
    try {
      String name = Files.readString(thread.resolve("comm")).trim();
      if (!isCompiler(name)) {
        return 0;
      }
      return ProcStat.parse(Files.readString(thread.resolve("stat"))).ownTicks();
    } catch (IOException | RuntimeException e) {
      return 0; // the thread exited between listing and reading
    }
  }

  static boolean isCompiler(String threadName) {
    return threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre");
  }
}
