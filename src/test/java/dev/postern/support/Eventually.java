package dev.postern.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition from the test thread until it holds or time runs out. The only place tests
 * sleep: between polls, never as a wait of their own.
 */
public final class Eventually {

  /** An assertion block that may throw; {@link AssertionError} means "not yet". */
  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  private static final Duration PAUSE = Duration.ofMillis(50);

  private Eventually() {}

  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> describe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + describe.get());
      }
      pause();
    }
  }

  /** Runs {@code check} until it passes; past the deadline its last failure is thrown. */
  public static void untilAsserted(Duration timeout, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
