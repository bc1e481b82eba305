package dev.postern.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Polls a {@link SinkCounter} every few milliseconds on its own thread and keeps every change
 * with its time, so the moment the sink reached a count and the arrivals per second can be read
 * back afterwards, whatever the main thread was doing meanwhile.
 */
final class ArrivalWatch implements AutoCloseable {

  private static final long POLL_MS = 5;

  record Sample(long nanos, long count) {}

  private final SinkCounter sink;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stop;
  private volatile Exception failure;

  ArrivalWatch(SinkCounter sink) throws Exception {
    this.sink = sink;
    samples.add(new Sample(System.nanoTime(), sink.messages()));
    thread = new Thread(this::poll, "sink-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void poll() {
    while (!stop) {
      try {
        long count = sink.messages();
        long now = System.nanoTime();
        synchronized (samples) {
          if (count != samples.get(samples.size() - 1).count()) {
            samples.add(new Sample(now, count));
          }
        }
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        failure = e;
        return;
      }
    }
  }

  /** The count when the watch started. */
  long initial() {
    synchronized (samples) {
      return samples.get(0).count();
    }
  }

  long latest() {
    synchronized (samples) {
      return samples.get(samples.size() - 1).count();
    }
  }

  /**
   * Waits until the sink has {@code target} messages; returns when it first had them (to the
   * poll interval), or throws when {@code timeout} passes with no new arrival.
   */
  long awaitCount(long target, Duration timeout) throws Exception {
    long lastChange = System.nanoTime();
    long lastCount = -1;
    while (true) {
      if (failure != null) {
        throw failure;
      }
      synchronized (samples) {
        for (int i = samples.size() - 1; i >= 0 && samples.get(i).count() >= target; i--) {
          if (i == 0 || samples.get(i - 1).count() < target) {
            return samples.get(i).nanos();
          }
        }
      }
      long count = latest();
      long now = System.nanoTime();
      if (count != lastCount) {
        lastCount = count;
        lastChange = now;
      } else if (now - lastChange > timeout.toNanos()) {
        throw new TimeoutException("the sink has " + count + " of " + target + " messages and got"
            + " none for " + timeout.toSeconds() + " s");
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** The count at {@code nanos}: the last sample at or before it. */
  long countAt(long nanos) {
    synchronized (samples) {
      long count = samples.get(0).count();
      for (Sample s : samples) {
        if (s.nanos() > nanos) {
          break;
        }
        count = s.count();
      }
      return count;
    }
  }

  /** Arrivals per second from t0 to t1, one point per whole second (a last part ≥ 0.5 s too). */
  List<RunResult.SeriesPoint> series(long t0, long t1) {
    List<RunResult.SeriesPoint> points = new ArrayList<>();
    long second = 1_000_000_000L;
    for (long from = t0; from < t1; from += second) {
      long to = Math.min(t1, from + second);
      double length = (to - from) / 1e9;
      if (length < 0.5) {
        break;
      }
      double rate = (countAt(to) - countAt(from)) / length;
      points.add(new RunResult.SeriesPoint((to - t0) / 1e9, rate, 0, false, 0));
    }
    return points;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(1000);
  }
}
