package dev.postern.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * mx-accept's second question (issue #13): does the parse/thread/file pipeline keep up with the
 * MX? Right after the timed accept run, the deliveries still pending (accepted, not yet filed)
 * are the backlog; {@link #drain} polls their count until it reaches zero and times it.
 *
 * <p>Drain rate = backlog / drain time: what the pipeline files per second once the MX is quiet.
 * Goal (BENCHMARKS.md): at least the accept rate. A pipeline that filed everything during the
 * run has no backlog ({@link Drain#keptUp()}), which meets the goal by definition. The pipeline
 * rate = messages / (first submission → last filing) is printed beside it: the whole batch,
 * accepted and filed.
 */
final class FilingBacklog {

  /** How often the pending count is read (each read is one rolled-back transaction). */
  static final long POLL_MILLIS = 20;

  /**
   * @param backlog deliveries pending when the accept run ended
   * @param seconds from the first read of the backlog until none was pending
   * @param drainedNanos System.nanoTime when none was pending
   */
  record Drain(long backlog, double seconds, long drainedNanos) {

    boolean keptUp() {
      return backlog == 0;
    }

    /** Deliveries filed per second while the backlog drained (0 when there was none). */
    double rate() {
      return backlog == 0 || seconds <= 0 ? 0 : backlog / seconds;
    }

    /** The drain line: backlog, time, rate against the accept rate, and the verdict. */
    String line(String label, double acceptRate, double pipelineRate) {
      if (keptUp()) {
        return String.format(Locale.ROOT, "%s  filing kept up: no backlog at the end of the accept"
            + " run (accept %s msg/s; accepted→filed %s msg/s)", label,
            BenchUnits.grouped(acceptRate), BenchUnits.grouped(pipelineRate));
      }
      return String.format(Locale.ROOT, "%s  backlog %s pending at the end of the accept run,"
          + " drained in %.2f s: %s msg/s vs accept %s msg/s (%.2f×, goal >= 1.00%s);"
          + " accepted→filed %s msg/s", label, BenchUnits.grouped(backlog), seconds,
          BenchUnits.grouped(rate()), BenchUnits.grouped(acceptRate), rate() / acceptRate,
          rate() >= acceptRate ? "" : ", BEHIND", BenchUnits.grouped(pipelineRate));
    }
  }

  /** Reads a count of pending deliveries, e.g. through {@link CostProbe#count}. */
  interface PendingCount {
    long read() throws Exception;
  }

  private FilingBacklog() {}

  /**
   * Reads the backlog (call it right after the accept run), then polls {@code pending} until it
   * reads zero; the drain time runs from just before that first read.
   *
   * @throws IllegalStateException when the count has not fallen for {@code stallSeconds}
   */
  static Drain drain(PendingCount pending, double stallSeconds) throws Exception {
    long start = System.nanoTime();
    long backlog = pending.read();
    long now = System.nanoTime();
    long lastProgress = now;
    long last = backlog;
    long current = backlog;
    while (current > 0) {
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      current = pending.read();
      now = System.nanoTime();
      if (current < last) {
        last = current;
        lastProgress = now;
      } else if ((now - lastProgress) / 1e9 > stallSeconds) {
        throw new IllegalStateException("the filing backlog is stuck at " + current + " of "
            + backlog + " for " + stallSeconds + " s");
      }
    }
    return new Drain(backlog, (now - start) / 1e9, now);
  }
}
