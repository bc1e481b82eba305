package dev.postern.bench;

import static dev.postern.bench.BenchUnits.grouped;

import java.util.Locale;
import java.util.Map;

/** The human table printed on stdout after a run. */
final class TextReport {

  private TextReport() {}

  static String of(RunResult r) {
    StringBuilder out = new StringBuilder();
    String load = "closed".equals(r.mode())
        ? "closed model, " + r.concurrency() + " concurrent"
        : "open model, " + grouped(r.rate()) + " req/s intended";
    out.append(String.format(Locale.ROOT, "%s  %s %s  (%s, %d connections, %.1f s measured)%n",
        r.label(), r.workload(), r.url(), load, r.connections(), r.measuredSeconds()));
    out.append(String.format(Locale.ROOT, "  %-14s %s (2xx %s)%n", "requests",
        grouped(r.requests()), grouped(r.ok())));
    out.append(String.format(Locale.ROOT, "  %-14s %s req/s (2xx %s req/s)%n", "throughput",
        grouped(r.throughput()), grouped(r.okThroughput())));
    String from = "closed".equals(r.mode()) ? "from send" : "from intended start";
    out.append(row("latency ms", r.latencyUs(), from));
    if (!"closed".equals(r.mode())) {
      out.append(row("service ms", r.serviceTimeUs(), "from send, hides queueing"));
    }
    out.append(String.format(Locale.ROOT, "  %-14s %s%n", "status", counts(r.statusCounts())));
    out.append(String.format(Locale.ROOT, "  %-14s %s%n", "transport err",
        counts(r.transportErrors())));
    return out.toString();
  }

  private static String row(String name, RunResult.Percentiles p, String note) {
    if (p == null || p.count() == 0) {
      return String.format(Locale.ROOT, "  %-14s (none recorded)%n", name);
    }
    return String.format(Locale.ROOT,
        "  %-14s p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%s)%n", name, ms(p.p50()),
        ms(p.p90()), ms(p.p99()), ms(p.p999()), ms(p.max()), note);
  }

  static String ms(long micros) {
    double ms = micros / 1000.0;
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
  }

  private static String counts(Map<String, Long> counts) {
    if (counts == null || counts.isEmpty()) {
      return "-";
    }
    StringBuilder line = new StringBuilder();
    counts.forEach((k, v) -> line.append(k).append(": ").append(grouped(v)).append("  "));
    return line.toString().trim();
  }
}
