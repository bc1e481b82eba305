package dev.postern.ratelimit.redis;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a recurring condition at WARN at most once per interval, saying how many occurrences were
 * suppressed since the last line, so an outage that fails every request does not flood the log.
 * The message must be generic: it is shared by all occurrences, whatever bucket caused them.
 */
final class ThrottledWarning {

  private final Logger log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private boolean logged;
  private long lastLoggedNanos;
  private long suppressed;

  ThrottledWarning(Logger log, Duration interval, LongSupplier nanoTime) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  void warn(String message, Throwable cause) {
    long now = nanoTime.getAsLong();
    long suppressedBefore;
    synchronized (this) {
      if (logged && now - lastLoggedNanos < intervalNanos) {
        suppressed++;
        return;
      }
      logged = true;
      lastLoggedNanos = now;
      suppressedBefore = suppressed;
      suppressed = 0;
    }
    // The cause's text only (no stack trace): an outage is an expected condition here.
    log.warn("{}: {} ({} similar warnings suppressed since the last one)",
        message, cause, suppressedBefore);
  }
}
