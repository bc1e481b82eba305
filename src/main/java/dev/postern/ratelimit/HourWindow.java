package dev.postern.ratelimit;

import java.time.Clock;

/** The fixed window a moment falls in: one wall-clock UTC hour, [start, end). */
public record HourWindow(long startEpochSeconds) {

  public static final long SECONDS = 3600;

  public static HourWindow current(Clock clock) {
    long now = clock.instant().getEpochSecond();
    return new HourWindow(Math.floorDiv(now, SECONDS) * SECONDS);
  }

  public long endEpochSeconds() {
    return startEpochSeconds + SECONDS;
  }
}
