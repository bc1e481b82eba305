package dev.postern.logging;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a recurring condition at WARN at most once per interval, saying how many occurrences were
 * suppressed since the last line, so an outage that fails every request does not flood the log.
 * The message must be generic: it is shared by all occurrences, whatever caused them.
 */
public final class ThrottledWarning {

  private final Logger log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private boolean logged;
  private long lastLoggedNanos;
  private long suppressed;

  public ThrottledWarning(Logger log, Duration interval) {
    this(log, interval, System::nanoTime);
  }

  public ThrottledWarning(Logger log, Duration interval, LongSupplier nanoTime) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * Logs {@code message: detail} unless a line went out less than an interval ago. The detail is
   * written as text ({@code toString()}); a {@link Throwable} gets no stack trace, since an
   * outage is an expected condition.
   */
  public void warn(String message, Object detail) {
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
    log.warn("{}: {} ({} similar warnings suppressed since the last one)",
        message, detail, suppressedBefore);
  }
}
