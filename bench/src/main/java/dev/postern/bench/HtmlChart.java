package dev.postern.bench;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page (inline SVG, no script, no external resource: the bench machine is
 * offline) with throughput over time and the latency percentile curve of one or more runs. The
 * percentile axis is logarithmic in 1/(1-p), as HdrHistogram's plotter draws it, so the tail
 * (99 %, 99.9 %, 99.99 %) gets as much room as the median.
 */
final class HtmlChart {

  private static final String[] COLORS = {
      "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  private static final int W = 860;
  private static final int H = 360;
  private static final int LEFT = 70;
  /** Room for the last axis label ("99.9999%") to the right of the plot. */
  private static final int RIGHT = 45;
  private static final int TOP = 20;
  private static final int BOTTOM = 45;
  /** The curve stops at 99.9999 %: beyond it a run has no samples to show. */
  private static final double MAX_NINES = 6;

  private HtmlChart() {}

  static String page(String title, List<RunResult> runs) {
    return page(title, runs, "req/s");
  }

  /** {@code unit}: what the throughput counts ({@code req/s}, or {@code msg/s} for SMTP and e2e). */
  static String page(String title, List<RunResult> runs, String unit) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>body{font-family:sans-serif;margin:24px}"
            + "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right}"
            + "svg text{font-size:12px}</style></head><body><h2>").append(escape(title))
        .append("</h2>");
    html.append(summaryTable(runs, unit));
    html.append("<h3>Throughput over time (").append(escape(unit))
        .append("; grey = warm-up, not measured)</h3>");
    List<String> noSeries = runs.stream().filter(r -> safe(r.series()).isEmpty())
        .map(RunResult::label).toList();
    if (!noSeries.isEmpty()) {
      html.append("<p>No per-second series for ").append(escape(String.join(", ", noSeries)))
          .append(" (measured by wall time of the whole run, e.g. smtp-source).</p>");
    }
    html.append(throughputChart(runs));
    html.append("<h3>Latency by percentile (ms; open model: from intended start)</h3>");
    List<String> without = runs.stream().filter(r -> safe(r.distribution()).isEmpty())
        .map(RunResult::label).toList();
    if (without.size() == runs.size()) {
      html.append("<p>No latency recorded: these runs measure throughput only (smtp-source reports"
          + " no latency; e2e-relay times a whole batch from first submission to last arrival)."
          + "</p>");
    } else {
      if (!without.isEmpty()) {
        html.append("<p>No latency recorded for ").append(escape(String.join(", ", without)))
            .append(" (throughput only).</p>");
      }
      html.append(percentileChart(runs));
    }
    html.append("</body></html>\n");
    return html.toString();
  }

  private static String summaryTable(List<RunResult> runs, String unit) {
    StringBuilder t = new StringBuilder("<table><tr><th></th><th>run</th><th>2xx " + escape(unit)
        + "</th>"
        + "<th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th></tr>");
    for (int i = 0; i < runs.size(); i++) {
      RunResult r = runs.get(i);
      RunResult.Percentiles p = r.latencyUs();
      boolean has = r.hasLatency();
      t.append("<tr><td style=\"color:").append(color(i)).append("\">&#9632;</td><td>")
          .append(escape(r.label())).append("</td><td>")
          .append(BenchUnits.grouped(r.okThroughput())).append("</td><td>")
          .append(has ? TextReport.ms(p.p50()) : "-").append("</td><td>")
          .append(has ? TextReport.ms(p.p99()) : "-").append("</td><td>")
          .append(has ? TextReport.ms(p.p999()) : "-").append("</td><td>")
          .append(has ? TextReport.ms(p.max()) : "-").append("</td><td>")
          .append(r.errors()).append("</td></tr>");
    }
    return t.append("</table>").toString();
  }

  private static String throughputChart(List<RunResult> runs) {
    double maxT = 1;
    double maxY = 1;
    double warmup = 0;
    for (RunResult r : runs) {
      warmup = Math.max(warmup, r.warmupSeconds());
      for (RunResult.SeriesPoint p : safe(r.series())) {
        maxT = Math.max(maxT, p.t());
        maxY = Math.max(maxY, p.rps());
      }
    }
    maxY = niceCeiling(maxY * 1.05);
    // Round seconds on the time axis: a tick every `step` seconds, the axis a whole number of steps.
    double step = timeStep(maxT / 6);
    maxT = Math.ceil(maxT / step - 1e-9) * step;
    StringBuilder svg = open();
    double wx = x(Math.min(warmup, maxT) / maxT);
    svg.append(rect(LEFT, TOP, wx - LEFT, H - TOP - BOTTOM, "#eeeeee"));
    axes(svg);
    for (int i = 0; i <= 5; i++) {
      double v = maxY * i / 5;
      label(svg, LEFT - 6, y(i / 5.0) + 4, BenchUnits.grouped(v), "end");
    }
    for (double t = 0; t <= maxT + 1e-9; t += step) {
      label(svg, x(t / maxT), H - BOTTOM + 16, String.format(Locale.ROOT,
          step < 1 ? "%.1f s" : "%.0f s", t), "middle");
      if (t / step > 1000) {
        break;
      }
    }
    for (int i = 0; i < runs.size(); i++) {
      StringBuilder pts = new StringBuilder();
      for (RunResult.SeriesPoint p : safe(runs.get(i).series())) {
        pts.append(fmt(x(p.t() / maxT))).append(',').append(fmt(y(p.rps() / maxY))).append(' ');
      }
      polyline(svg, pts, color(i));
    }
    return svg.append("</svg>").toString();
  }

  private static String percentileChart(List<RunResult> runs) {
    double maxMs = 0.1;
    for (RunResult r : runs) {
      for (RunResult.DistributionPoint p : safe(r.distribution())) {
        maxMs = Math.max(maxMs, p.latencyUs() / 1000.0);
      }
    }
    maxMs = niceCeiling(maxMs * 1.05);
    StringBuilder svg = open();
    axes(svg);
    String[] names = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
    for (int n = 0; n <= MAX_NINES; n++) {
      label(svg, x(n / MAX_NINES), H - BOTTOM + 16, names[n], "middle");
    }
    for (int i = 0; i <= 5; i++) {
      label(svg, LEFT - 6, y(i / 5.0) + 4, TextReport.ms(Math.round(maxMs * 1000 * i / 5)),
          "end");
    }
    for (int i = 0; i < runs.size(); i++) {
      StringBuilder pts = new StringBuilder();
      for (RunResult.DistributionPoint p : safe(runs.get(i).distribution())) {
        pts.append(fmt(x(nines(p.percentile()) / MAX_NINES))).append(',')
            .append(fmt(y(p.latencyUs() / 1000.0 / maxMs))).append(' ');
      }
      polyline(svg, pts, color(i));
    }
    return svg.append("</svg>").toString();
  }

  /** log10(1 / (1 - p)): 0 at 0 %, 1 at 90 %, 2 at 99 %, capped at {@link #MAX_NINES}. */
  static double nines(double percentile) {
    double remaining = 1 - percentile / 100;
    return remaining <= Math.pow(10, -MAX_NINES) ? MAX_NINES : -Math.log10(remaining);
  }

  private static StringBuilder open() {
    return new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + W
        + "\" height=\"" + H + "\">");
  }

  private static void axes(StringBuilder svg) {
    svg.append("<path d=\"M").append(LEFT).append(',').append(TOP).append(" V")
        .append(H - BOTTOM).append(" H").append(W - RIGHT)
        .append("\" stroke=\"#333\" fill=\"none\"/>");
  }

  private static void polyline(StringBuilder svg, CharSequence points, String color) {
    svg.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(color)
        .append("\" points=\"").append(points).append("\"/>");
  }

  private static String rect(double x, double y, double w, double h, String fill) {
    return "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"" + fmt(Math.max(0, w))
        + "\" height=\"" + fmt(h) + "\" fill=\"" + fill + "\"/>";
  }

  private static void label(StringBuilder svg, double x, double y, String text, String anchor) {
    svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y))
        .append("\" text-anchor=\"").append(anchor).append("\">").append(escape(text))
        .append("</text>");
  }

  private static double x(double fraction) {
    return LEFT + fraction * (W - LEFT - RIGHT);
  }

  private static double y(double fraction) {
    return H - BOTTOM - Math.min(1, fraction) * (H - TOP - BOTTOM);
  }

  /** 1, 2 or 5 × 10^k seconds: whole labels (no 2.5 s step printed as "3 s"). */
  static double timeStep(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String color(int i) {
    return COLORS[i % COLORS.length];
  }

  private static <T> List<T> safe(List<T> list) {
    return list == null ? List.of() : list;
  }

  static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
