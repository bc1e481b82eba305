package dev.postern.bench;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * One run's figures, as written to the result JSON. Latencies are microseconds. A reference
 * measured by another tool (Postfix via smtp-source) fills only the throughput fields; the
 * latency fields are then null. {@code cost} is set when the run measured Postern's cost per
 * message (bench/README.md, "Cost per message").
 */
record RunResult(
    String label,
    String tool,
    String workload,
    String mode,
    String url,
    int concurrency,
    double rate,
    int connections,
    double warmupSeconds,
    double measuredSeconds,
    String startedAt,
    Machine machine,
    long requests,
    long ok,
    double throughput,
    double okThroughput,
    Percentiles latencyUs,
    Percentiles serviceTimeUs,
    Map<String, Long> statusCounts,
    Map<String, Long> transportErrors,
    long errors,
    List<SeriesPoint> series,
    List<DistributionPoint> distribution,
    MeasuredWindow window,
    MessageCost cost) {

  /**
   * The measured (non-warm-up) window in wall-clock time, ISO-8601 instants: what a profile of
   * the gateway is cut to (JfrHotFrames). Null for results of external tools.
   */
  record MeasuredWindow(String from, String until) {}

  /** The same figures with the cost of the window attached. */
  RunResult withCost(MessageCost messageCost) {
    return new RunResult(label, tool, workload, mode, url, concurrency, rate, connections,
        warmupSeconds, measuredSeconds, startedAt, machine, requests, ok, throughput,
        okThroughput, latencyUs, serviceTimeUs, statusCounts, transportErrors, errors, series,
        distribution, window, messageCost);
  }

  record Machine(int cores, String jdk, String os) {
    static Machine current() {
      return new Machine(Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.runtime.version"),
          System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }
  }

  record Percentiles(long count, double mean, long p50, long p90, long p99, long p999, long max) {
    static Percentiles of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Percentiles(0, 0, 0, 0, 0, 0, 0);
      }
      return new Percentiles(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50),
          h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
          h.getMaxValue());
    }
  }

  /** Throughput in one second of the run; warm-up seconds are flagged, not dropped. */
  record SeriesPoint(double t, double rps, long errors, boolean warmup, long p99Us) {}

  /** One point of the percentile curve (the HdrHistogram "percentile distribution"). */
  record DistributionPoint(double percentile, long latencyUs) {}

  /** The full percentile distribution, five steps per halving of the tail as HdrHistogram plots. */
  static List<DistributionPoint> distributionOf(Histogram h) {
    if (h.getTotalCount() == 0) {
      return List.of();
    }
    var points = new java.util.ArrayList<DistributionPoint>();
    for (HistogramIterationValue v : h.percentiles(5)) {
      points.add(new DistributionPoint(v.getPercentileLevelIteratedTo(),
          h.highestEquivalentValue(v.getValueIteratedTo())));
    }
    return points;
  }

  boolean hasLatency() {
    return latencyUs != null && latencyUs.count() > 0;
  }
}
