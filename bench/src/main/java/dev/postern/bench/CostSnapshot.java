package dev.postern.bench;

import java.util.Map;

/**
 * The counters the cost of a window is computed from, read at one instant: PostgreSQL's
 * cumulative statistics of the gateway's database, the WAL insert position, and the CPU used
 * so far by the gateway JVM, the PostgreSQL processes and this (load generating) JVM with the
 * commands it ran and waited for (smtp-source in {@code smtp-accept}).
 */
record CostSnapshot(
    long nanoTime,
    long xactCommit,
    long xactRollback,
    long walLsn,
    Map<String, TableRows> tables,
    long gatewayCpuNanos,
    long postgresCpuNanos,
    long loadCpuNanos) {

  /** {@code pg_stat_user_tables} row counters of one table. */
  record TableRows(long ins, long upd, long hotUpd, long del) {}

  /**
   * A {@code pg_lsn} in its text form, "{@code X/Y}" (two hex numbers, the high and low 32 bits),
   * as a byte position; the difference of two is what {@code pg_wal_lsn_diff} returns.
   */
  static long parseLsn(String text) {
    int slash = text.indexOf('/');
    if (slash < 1 || slash == text.length() - 1) {
      throw new IllegalArgumentException("not an LSN: " + text);
    }
    long high = Long.parseLong(text.substring(0, slash), 16);
    long low = Long.parseLong(text.substring(slash + 1), 16);
    if (high > 0xFFFF_FFFFL || low > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not an LSN: " + text);
    }
    return (high << 32) | low;
  }
}
