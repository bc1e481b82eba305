package dev.postern.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * What Postern spent per accepted message over one measured window (issue #11): PostgreSQL
 * commits, WAL bytes and rows written, and CPU milliseconds of the gateway, of PostgreSQL and of
 * the load generator; {@code *Cores} are the same CPU as a share of one core over the window
 * (1.0 = one core busy all the time), which says what saturates.
 */
record MessageCost(
    long messages,
    double seconds,
    double commitsPerMessage,
    double walBytesPerMessage,
    double rowsPerMessage,
    List<TableCost> tables,
    double gatewayCpuMsPerMessage,
    double postgresCpuMsPerMessage,
    double loadCpuMsPerMessage,
    double gatewayCores,
    double postgresCores,
    double loadCores) {

  /** Rows written to one table per message, by kind ({@code hotUpd} is part of {@code upd}). */
  record TableCost(String table, double ins, double upd, double hotUpd, double del) {
    double rows() {
      return ins + upd + del;
    }

    String describe() {
      StringBuilder out = new StringBuilder(table);
      kinds(this).forEach((kind, perMessage) ->
          out.append(String.format(Locale.ROOT, " %.2f %s", perMessage, kind)));
      return out.toString();
    }
  }

  /**
   * The cost between two snapshots of {@code messages} accepted messages. {@code probeCommits}
   * is what the measuring itself committed in the gateway's database in between (the first
   * snapshot's own transaction; the second one's is not counted yet when it reads).
   */
  static MessageCost between(CostSnapshot before, CostSnapshot after, long messages,
      long probeCommits) {
    double n = Math.max(1, messages);
    double seconds = Math.max(1e-9, (after.nanoTime() - before.nanoTime()) / 1e9);
    List<TableCost> tables = new ArrayList<>();
    after.tables().forEach((name, a) -> {
      CostSnapshot.TableRows b = before.tables().getOrDefault(name,
          new CostSnapshot.TableRows(0, 0, 0, 0));
      var cost = new TableCost(name, (a.ins() - b.ins()) / n, (a.upd() - b.upd()) / n,
          (a.hotUpd() - b.hotUpd()) / n, (a.del() - b.del()) / n);
      if (cost.rows() > 0) {
        tables.add(cost);
      }
    });
    tables.sort(byRowsDescending());
    long gatewayCpu = after.gatewayCpuNanos() - before.gatewayCpuNanos();
    long postgresCpu = after.postgresCpuNanos() - before.postgresCpuNanos();
    long loadCpu = after.loadCpuNanos() - before.loadCpuNanos();
    return new MessageCost(messages, seconds,
        Math.max(0, after.xactCommit() - before.xactCommit() - probeCommits) / n,
        (after.walLsn() - before.walLsn()) / n,
        tables.stream().mapToDouble(TableCost::rows).sum(), List.copyOf(tables),
        gatewayCpu / 1e6 / n, postgresCpu / 1e6 / n, loadCpu / 1e6 / n,
        gatewayCpu / 1e9 / seconds, postgresCpu / 1e9 / seconds, loadCpu / 1e9 / seconds);
  }

  /**
   * Each figure the median of the runs' (a table missing from a run counts 0 there; a table
   * whose median is no row at all is left out).
   */
  static MessageCost median(List<MessageCost> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs with a cost");
    }
    var names = new TreeSet<String>();
    runs.forEach(r -> r.tables().forEach(t -> names.add(t.table())));
    List<TableCost> tables = new ArrayList<>();
    for (String name : names) {
      List<TableCost> perRun = runs.stream().map(r -> r.tables().stream()
          .filter(t -> t.table().equals(name)).findFirst()
          .orElse(new TableCost(name, 0, 0, 0, 0))).toList();
      var median = new TableCost(name, med(perRun, TableCost::ins), med(perRun, TableCost::upd),
          med(perRun, TableCost::hotUpd), med(perRun, TableCost::del));
      if (median.rows() > 0) {
        tables.add(median);
      }
    }
    tables.sort(byRowsDescending());
    return new MessageCost(Math.round(med(runs, MessageCost::messages)),
        med(runs, MessageCost::seconds), med(runs, MessageCost::commitsPerMessage),
        med(runs, MessageCost::walBytesPerMessage), med(runs, MessageCost::rowsPerMessage),
        List.copyOf(tables), med(runs, MessageCost::gatewayCpuMsPerMessage),
        med(runs, MessageCost::postgresCpuMsPerMessage), med(runs, MessageCost::loadCpuMsPerMessage),
        med(runs, MessageCost::gatewayCores), med(runs, MessageCost::postgresCores),
        med(runs, MessageCost::loadCores));
  }

  private static <T> double med(List<T> values, ToDoubleFunction<T> figure) {
    return RatioSummary.median(values.stream().map(v -> figure.applyAsDouble(v)).toList());
  }

  private static Comparator<TableCost> byRowsDescending() {
    return Comparator.comparingDouble(TableCost::rows).reversed()
        .thenComparing(TableCost::table);
  }

  /**
   * e.g. {@code cost send-small: 3.30 commits/msg, 6.1 KB WAL/msg, 9.4 rows/msg (delivery_queue
   * 3.35 upd, ...), gateway 0.38 ms CPU/msg (0.36 cores), postgres 1.2 ms CPU/msg (1.26 cores)}
   * with at most {@code topTables} tables named.
   */
  String line(String name, int topTables) {
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < Math.min(topTables, tables.size()); i++) {
      rows.append(i == 0 ? " (" : ", ").append(tables.get(i).describe());
    }
    if (tables.size() > topTables) {
      double rest = tables.subList(topTables, tables.size()).stream()
          .mapToDouble(TableCost::rows).sum();
      rows.append(String.format(Locale.ROOT, ", %d more tables %.2f", tables.size() - topTables,
          rest));
    }
    if (!tables.isEmpty()) {
      rows.append(')');
    }
    return String.format(Locale.ROOT, "cost %s: %.2f commits/msg, %s WAL/msg, %.1f rows/msg%s,"
            + " gateway %s ms CPU/msg (%.2f cores), postgres %s ms CPU/msg (%.2f cores),"
            + " load generator %s ms CPU/msg (%.2f cores)", name, commitsPerMessage,
        bytes(walBytesPerMessage), rowsPerMessage, rows, ms(gatewayCpuMsPerMessage), gatewayCores,
        ms(postgresCpuMsPerMessage), postgresCores, ms(loadCpuMsPerMessage), loadCores);
  }

  /** "6.1 KB" (1 KB = 1024 bytes, as the scenarios' sizes), "850 B" below one KB. */
  static String bytes(double bytes) {
    return bytes < 1024 ? String.format(Locale.ROOT, "%.0f B", bytes)
        : String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
  }

  private static String ms(double ms) {
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.1f", ms);
  }

  /** Per-table rows as {@code name 1.00 ins 3.35 upd}, kinds below 0.005/msg left out. */
  static Map<String, Double> kinds(TableCost t) {
    Map<String, Double> kinds = new LinkedHashMap<>();
    kinds.put("ins", t.ins());
    kinds.put("upd", t.upd());
    kinds.put("del", t.del());
    kinds.values().removeIf(v -> v < 0.005);
    return kinds;
  }
}
