package dev.postern.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CPU fields of one {@code /proc/<pid>/stat} line (proc(5)), in clock ticks. {@code cutime}
 * and {@code cstime} hold the CPU of children the process has already waited for: for the
 * postmaster that is every backend that exited, so a sum over the live processes plus those
 * two never loses a backend that ended during a measured window.
 */
record ProcStat(long pid, long ppid, long utime, long stime, long cutime, long cstime) {

  /**
   * Parses a stat line. The command name (field 2) is in parentheses and may itself contain
   * spaces and parentheses, so the fields are counted from the last ')'.
   */
  static ProcStat parse(String line) {
    int close = line.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + line);
    }
    long pid = Long.parseLong(line.substring(0, line.indexOf(' ')).trim());
    // After ')': field 3 (state) is index 0, so field N is index N - 3.
    String[] f = line.substring(close + 1).trim().split("\\s+");
    if (f.length < 15) {
      throw new IllegalArgumentException("short /proc/<pid>/stat line: " + line);
    }
    return new ProcStat(pid, Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
        Long.parseLong(f[13]), Long.parseLong(f[14]));
  }

  /** The process's own CPU (all its threads). */
  long ownTicks() {
    return utime + stime;
  }

  /** Its own CPU and that of its children it has reaped. */
  long ticksWithReapedChildren() {
    return utime + stime + cutime + cstime;
  }

  static Optional<ProcStat> read(Path proc, long pid) {
    try {
      return Optional.of(parse(Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone (exited between listing and reading)
    }
  }

  /** Every process whose stat is readable under {@code proc} (normally /proc). */
  static List<ProcStat> all(Path proc) throws IOException {
    List<ProcStat> stats = new ArrayList<>();
    try (Stream<Path> entries = Files.list(proc)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
          read(proc, Long.parseLong(name)).ifPresent(stats::add);
        }
      }
    }
    return stats;
  }

  /**
   * CPU ticks of a PostgreSQL server: the postmaster with its reaped children, plus every live
   * child (backends, WAL writer, checkpointer, ...). 0 when the postmaster is gone.
   */
  static long postgresTicks(long postmasterPid, List<ProcStat> all) {
    long ticks = 0;
    for (ProcStat p : all) {
      if (p.pid == postmasterPid) {
        ticks += p.ticksWithReapedChildren();
      } else if (p.ppid == postmasterPid) {
        ticks += p.ownTicks();
      }
    }
    return ticks;
  }
}
