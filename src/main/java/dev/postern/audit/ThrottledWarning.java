package dev.postern.audit;

import java.time.Duration;
import org.slf4j.Logger;

/** A WARN line at most once per interval, counting what it suppressed, so an outage cannot flood the log. */
final class ThrottledWarning {

  private final Logger log;
  private final long intervalNanos;
  private long lastNanos;
  private boolean logged;
  private long suppressed;

  ThrottledWarning(Logger log, Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  void warn(String message, String detail) {
    long now = System.nanoTime();
    long before;
    synchronized (this) {
      if (logged && now - lastNanos < intervalNanos) {
        suppressed++;
        return;
      }
      logged = true;
      lastNanos = now;
      before = suppressed;
      suppressed = 0;
    }
    log.warn("{}: {} ({} similar warnings suppressed)", message, detail, before);
  }
}
