package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitCompilerCpuTest {

  @TempDir
  Path proc;

  @Test
  void sumsOnlyTheCompilerThreadsOfTheProcess() throws Exception {
    thread(42, 42, "java", 500, 20);
    thread(42, 43, "C2 CompilerThre", 300, 7);
    thread(42, 44, "C2 CompilerThre", 40, 2);
    thread(42, 45, "C1 CompilerThre", 90, 1);
    thread(42, 46, "vert.x-eventloo", 900, 300);
    thread(42, 47, "GC Thread#0", 70, 0);
    thread(99, 100, "C2 CompilerThre", 1000, 1000); // another JVM

    assertThat(new JitCompilerCpu(proc, 42).ticks()).isEqualTo(307 + 42 + 91);
  }

  @Test
  void aThreadThatExitedWhileReadIsSkipped() throws Exception {
    thread(42, 43, "C2 CompilerThre", 300, 7);
    Files.createDirectories(proc.resolve("42/task/48")); // listed, then gone: no comm, no stat

    assertThat(new JitCompilerCpu(proc, 42).ticks()).isEqualTo(307);
  }

  @Test
  void aProcessThatIsGoneReadsMinusOne() {
    assertThat(new JitCompilerCpu(proc, 7).ticks()).isEqualTo(-1);
  }

  @Test
  void thisJvmHasCompilerThreadsThatHaveWorked() {
    // JUnit's own startup compiled plenty; C1 at least has run by now.
    long ticks = new JitCompilerCpu(Path.of("/proc"), ProcessHandle.current().pid()).ticks();

    assertThat(ticks).isPositive();
  }

  @Test
  void recognisesHotSpotsCompilerThreadNamesAsTheKernelTruncatesThem() {
    assertThat(JitCompilerCpu.isCompiler("C2 CompilerThre")).isTrue();
    assertThat(JitCompilerCpu.isCompiler("C1 CompilerThre")).isTrue();
    assertThat(JitCompilerCpu.isCompiler("C2 CompilerThread0")).isTrue();
    assertThat(JitCompilerCpu.isCompiler("Compiler")).isFalse();
    assertThat(JitCompilerCpu.isCompiler("postern-cpu-1")).isFalse();
  }

  private void thread(long pid, long tid, String name, long utime, long stime) throws Exception {
    Path task = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
    Files.writeString(task.resolve("comm"), name + "\n");
    Files.writeString(task.resolve("stat"), tid + " (" + name + ") S " + pid + " " + pid + " "
        + pid + " 0 -1 0 0 0 0 0 " + utime + " " + stime + " 0 0 20 0 1 0 1 1 1\n");
  }
}
