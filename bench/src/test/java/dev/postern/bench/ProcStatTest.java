package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcStatTest {

  /** A postgres backend's line as Linux writes it (proc(5)); fields 14-17 are the CPU ticks. */
  private static final String BACKEND = "4242 (postgres) S 4100 4100 4100 0 -1 4194560 1523 0 0 0"
      + " 120 35 7 3 20 0 1 0 123456 226000000 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0"
      + " 17 1 0 0 0 0 0";

  @Test
  void readsPidParentAndCpuTicks() {
    ProcStat stat = ProcStat.parse(BACKEND);

    assertThat(stat).isEqualTo(new ProcStat(4242, 4100, 120, 35, 7, 3));
    assertThat(stat.ownTicks()).isEqualTo(155);
    assertThat(stat.ticksWithReapedChildren()).isEqualTo(165);
  }

  @Test
  void commandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
    String line = "77 (Web Content (x) 2) R 1 77 77 0 -1 0 0 0 0 0 11 22 33 44 20 0 1 0 9 9 9";

    assertThat(ProcStat.parse(line)).isEqualTo(new ProcStat(77, 1, 11, 22, 33, 44));
  }

  @Test
  void truncatedLineIsRefused() {
    assertThatThrownBy(() -> ProcStat.parse("5 (sh) S 1 5 5 0"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void postgresCpuIsThePostmasterWithReapedBackendsPlusLiveChildren() {
    List<ProcStat> all = List.of(
        new ProcStat(4100, 1, 50, 10, 400, 100), // postmaster: 500 ticks of exited backends
        new ProcStat(4242, 4100, 120, 35, 0, 0), // live backend
        new ProcStat(4243, 4100, 5, 5, 0, 0), // WAL writer
        new ProcStat(4300, 4242, 1000, 0, 0, 0), // not a child of the postmaster
        new ProcStat(5000, 1, 999, 999, 0, 0)); // another process

    assertThat(ProcStat.postgresTicks(4100, all)).isEqualTo(60 + 500 + 155 + 10);
    assertThat(ProcStat.postgresTicks(9999, all)).isZero();
  }

  @Test
  void readsThisJvmFromTheRealProc() throws Exception {
    long self = ProcessHandle.current().pid();

    List<ProcStat> all = ProcStat.all(Path.of("/proc"));

    ProcStat mine = all.stream().filter(p -> p.pid() == self).findFirst().orElseThrow();
    assertThat(mine.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    // A JVM that loaded JUnit has used well over one 10 ms tick.
    assertThat(mine.ownTicks()).isPositive();
  }
}
