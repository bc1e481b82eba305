package dev.postern.support;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Rate-limit windows are clock hours, and a gateway started by the tests reads the system clock
 * (it takes no Clock), so a test that counts a quota must not straddle the top of an hour: the
 * count would start again mid-test. Such a test calls {@link #awaitRoomFor} first.
 */
public final class HourWindow {

  private HourWindow() {}

  /** Returns at once unless less than {@code needed} is left in this hour; then waits it out. */
  public static void awaitRoomFor(Duration needed) {
    Instant now = Instant.now();
    Instant nextHour = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    if (Duration.between(now, nextHour).compareTo(needed) >= 0) {
      return;
    }
    Eventually.until(needed.plusMinutes(1), () -> Instant.now().isAfter(nextHour),
        () -> "the clock has not reached " + nextHour);
  }
}
