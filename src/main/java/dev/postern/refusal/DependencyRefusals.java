package dev.postern.refusal;

import dev.postern.blob.BlobStoreException;
import dev.postern.db.DatabaseFailures;
import dev.postern.ratelimit.RateLimiterUnavailableException;
import java.util.Optional;

/**
 * An unreachable dependency as a refusal (SPEC §3, TESTING.md "Faults"): the object store down is
 * {@link Reason#STORAGE_UNAVAILABLE}; the database down, or Redis down under {@code fail_closed},
 * is {@link Reason#UNAVAILABLE}. One classification for every edge (REST 502/503, SMTP 451 4.3.0).
 */
public final class DependencyRefusals {

  private DependencyRefusals() {}

  /** The refusal a failure stands for, or empty when it is not a dependency being unreachable. */
  public static Optional<Refusal> of(Throwable failure) {
    if (failure instanceof BlobStoreException) {
      return Optional.of(Refusal.of(Reason.STORAGE_UNAVAILABLE,
          "the object store is unavailable; nothing was stored"));
    }
    if (failure instanceof RateLimiterUnavailableException) {
      return Optional.of(Refusal.of(Reason.UNAVAILABLE, "quota service unavailable; try again shortly"));
    }
    if (DatabaseFailures.isUnavailable(failure)) {
      return Optional.of(Refusal.of(Reason.UNAVAILABLE, "database unavailable; try again shortly"));
    }
    return Optional.empty();
  }
}
