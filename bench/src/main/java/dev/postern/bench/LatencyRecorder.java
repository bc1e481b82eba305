package dev.postern.bench;

import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records every finished request. Writers are the driver event loops (wait-free HdrHistogram
 * {@link Recorder}s and adders); the single reader is {@link #sample}, called once a second
 * and once at the end. A request counts towards the result only if its start (the intended
 * start in the open model) lies in the measured window, so warm-up traffic is never mixed in.
 */
final class LatencyRecorder {

  /** 1 µs to 1 hour at 3 significant digits: anything a request can take. */
  private static final long HIGHEST_US = 3_600_000_000L;

  /** One point of the per-second series. */
  record Tick(double elapsedSeconds, double requestsPerSecond, long errors, boolean warmup,
      long p99Us) {}

  private final long runStart;
  private final long measureFrom;
  private final long measureUntil;
  private final Recorder latency = new Recorder(HIGHEST_US, 3);
  /**
   * Every finished request, warm-up included, for the per-second series: the warm-up's seconds
   * show their p99 too, and the response path is the same on both sides of the window's edge
   * (a path first taken when the window opens would be compiled anew right then).
   */
  private final Recorder everyLatency = new Recorder(HIGHEST_US, 3);
  private final Recorder serviceTime = new Recorder(HIGHEST_US, 3);
  private final Histogram latencyTotal = new Histogram(HIGHEST_US, 3);
  private final Histogram serviceTotal = new Histogram(HIGHEST_US, 3);
  private final LongAdder finishedSinceTick = new LongAdder();
  private final LongAdder errorsSinceTick = new LongAdder();
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> transportErrors = new ConcurrentHashMap<>();
  private final List<Tick> series = new ArrayList<>();
  private long lastTick;

  LatencyRecorder(long runStart, long measureFrom, long measureUntil) {
    this.runStart = runStart;
    this.measureFrom = measureFrom;
    this.measureUntil = measureUntil;
    this.lastTick = runStart;
  }

  boolean isMeasured(long startNanos) {
    return startNanos >= measureFrom && startNanos < measureUntil;
  }

  /**
   * @param startNanos the intended start (open model) or the issue time (closed model)
   * @param sentNanos when a pooled connection took the request
   */
  void recordResponse(long startNanos, long sentNanos, long endNanos, int status) {
    finishedSinceTick.increment();
    boolean failed = status < 200 || status > 299;
    if (failed) {
      errorsSinceTick.increment();
    }
    everyLatency.recordValue(clampUs(endNanos - startNanos));
    if (!isMeasured(startNanos)) {
      return;
    }
    statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    latency.recordValue(clampUs(endNanos - startNanos));
    serviceTime.recordValue(clampUs(endNanos - sentNanos));
  }

  void recordFailure(long startNanos, Throwable cause) {
    finishedSinceTick.increment();
    errorsSinceTick.increment();
    if (isMeasured(startNanos)) {
      transportErrors.computeIfAbsent(kindOf(cause), k -> new LongAdder()).increment();
    }
  }

  static String kindOf(Throwable cause) {
    if (cause instanceof TimeoutException) {
      return "timeout";
    }
    if (cause instanceof ConnectException) {
      return "connect_refused";
    }
    if (cause instanceof HttpClosedException) {
      return "connection_closed";
    }
    return cause.getClass().getSimpleName();
  }

  private static long clampUs(long nanos) {
    return Math.min(HIGHEST_US, Math.max(1, nanos / 1000));
  }

  /** Folds what was recorded since the last call into the totals and appends a series point. */
  synchronized Tick sample(long now) {
    latencyTotal.add(latency.getIntervalHistogram());
    Histogram interval = everyLatency.getIntervalHistogram();
    serviceTotal.add(serviceTime.getIntervalHistogram());
    double seconds = Math.max(1e-9, (now - lastTick) / 1e9);
    lastTick = now;
    Tick tick = new Tick((now - runStart) / 1e9, finishedSinceTick.sumThenReset() / seconds,
        errorsSinceTick.sumThenReset(), now <= measureFrom,
        interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99));
    // The last call (at the end of the drain) covers a fraction of a second: as a rate it
    // would be noise, so it updates the totals but adds no point.
    if (seconds >= 0.5) {
      series.add(tick);
    }
    return tick;
  }

  synchronized Histogram latencySoFar() {
    return latencyTotal.copy();
  }

  synchronized Histogram serviceTimeSoFar() {
    return serviceTotal.copy();
  }

  synchronized List<Tick> series() {
    return List.copyOf(series);
  }

  long transportErrorTotal() {
    return transportErrors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long non2xxTotal() {
    return statuses.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() > 299)
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  Map<String, Long> statusCounts() {
    Map<String, Long> counts = new TreeMap<>();
    statuses.forEach((status, n) -> counts.put(Integer.toString(status), n.sum()));
    return counts;
  }

  Map<String, Long> transportErrorCounts() {
    Map<String, Long> counts = new TreeMap<>();
    transportErrors.forEach((kind, n) -> counts.put(kind, n.sum()));
    return counts;
  }
}
