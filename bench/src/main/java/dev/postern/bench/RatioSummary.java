package dev.postern.bench;

import static dev.postern.bench.BenchUnits.grouped;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Medians and spread of alternating runs, and the ratio of medians that BENCHMARKS.md states
 * goals in: {@code postern median / reference median} of 2xx throughput.
 */
record RatioSummary(String name, Side postern, Side reference, String unit) {

  /** One system's runs: median and min–max of 2xx throughput, median p99 when measured. */
  record Side(String label, int runs, double median, double min, double max, Double p99Ms) {

    static Side of(String label, List<RunResult> results) {
      if (results.isEmpty()) {
        throw new IllegalArgumentException("no runs for " + label);
      }
      List<Double> throughputs = results.stream().map(RunResult::okThroughput).toList();
      List<Double> p99s = results.stream().filter(RunResult::hasLatency)
          .map(r -> r.latencyUs().p99() / 1000.0).toList();
      return new Side(label, results.size(), RatioSummary.median(throughputs),
          Collections.min(throughputs), Collections.max(throughputs),
          p99s.isEmpty() ? null : RatioSummary.median(p99s));
    }

    /** Spread as a fraction of the median: (max - min) / median. */
    double spread() {
      return median == 0 ? 0 : (max - min) / median;
    }

    String describe(String unit) {
      String p99 = p99Ms == null ? "" : String.format(Locale.ROOT, ", median p99 %s ms",
          TextReport.ms(Math.round(p99Ms * 1000)));
      return String.format(Locale.ROOT, "%-10s median %s %s over %d runs [%s – %s, spread %.0f%%]%s",
          label, grouped(median), unit, runs, grouped(min), grouped(max), spread() * 100, p99);
    }
  }

  static RatioSummary of(String name, String posternLabel, List<RunResult> postern,
      String referenceLabel, List<RunResult> reference) {
    return of(name, posternLabel, postern, referenceLabel, reference, "req/s");
  }

  /** {@code unit} names what the throughput counts, e.g. {@code msg/s} for SMTP and e2e. */
  static RatioSummary of(String name, String posternLabel, List<RunResult> postern,
      String referenceLabel, List<RunResult> reference, String unit) {
    return new RatioSummary(name, Side.of(posternLabel, postern), Side.of(referenceLabel, reference),
        unit);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  double ratio() {
    return reference.median() == 0 ? Double.NaN : postern.median() / reference.median();
  }

  /** e.g. {@code ratio ping/bare-route: 0.74 (postern 61 200 req/s, reference 82 700 req/s)}. */
  String line() {
    return String.format(Locale.ROOT, "ratio %s: %.2f (%s %s %s, %s %s %s)", name, ratio(),
        postern.label(), grouped(postern.median()), unit, reference.label(),
        grouped(reference.median()), unit);
  }
}
