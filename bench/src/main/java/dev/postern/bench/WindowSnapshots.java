package dev.postern.bench;

import java.time.Instant;

/**
 * The two cost snapshots of a measured window, taken by the thread that waits for the load:
 * one when the window opens, one when it closes, and the wall-clock instants of both edges.
 * With no probe only the instants are kept.
 */
final class WindowSnapshots {

  private final CostProbe probe;
  private final long from;
  private final long until;
  private final long wallAtNano = System.currentTimeMillis() * 1_000_000L;
  private final long nanoAtWall = System.nanoTime();
  private CostSnapshot before;
  private CostSnapshot after;

  /** {@code from} and {@code until} are System.nanoTime values. */
  WindowSnapshots(CostProbe probe, long from, long until) {
    this.probe = probe;
    this.from = from;
    this.until = until;
  }

  /** When the next snapshot is due (nanoTime), or Long.MAX_VALUE when none is. */
  long nextDue() {
    if (probe == null || after != null) {
      return Long.MAX_VALUE;
    }
    return before == null ? from : until;
  }

  /**
   * Takes what is due at {@code now}. When the load has {@code finished}, the window is over
   * whatever the clock says, so a missing closing snapshot is taken now.
   */
  void takeDue(long now, boolean finished) throws Exception {
    if (probe == null) {
      return;
    }
    if (before == null && (now >= from || finished)) {
      before = probe.snapshot();
    }
    if (after == null && (now >= until || finished)) {
      after = probe.snapshot();
    }
  }

  RunResult.MeasuredWindow measured() {
    return new RunResult.MeasuredWindow(instant(from), instant(until));
  }

  MessageCost cost(long messages) {
    if (before == null || after == null) {
      throw new IllegalStateException("the window's snapshots were not taken");
    }
    return MessageCost.between(before, after, messages, CostProbe.PROBE_COMMITS_PER_WINDOW);
  }

  private String instant(long nanoTime) {
    long epochNanos = wallAtNano + (nanoTime - nanoAtWall);
    return Instant.ofEpochSecond(0, epochNanos).toString();
  }
}
