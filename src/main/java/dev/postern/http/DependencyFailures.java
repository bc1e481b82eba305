package dev.postern.http;

import dev.postern.blob.BlobStoreException;
import dev.postern.db.DatabaseFailures;
import dev.postern.ratelimit.RateLimiterUnavailableException;

/**
 * Maps an unreachable dependency to the contract's answer (SPEC §3): object store down → 502
 * {@code storage_unavailable}; database down, or Redis down under {@code fail_closed} → 503
 * {@code unavailable} (what counts as "database down" is decided in {@link DatabaseFailures}).
 * Everything else is left for the next translator (ultimately 500).
 */
public final class DependencyFailures implements ErrorHandler.Translator {

  @Override
  public ApiException apply(Throwable failure) {
    if (failure instanceof BlobStoreException) {
      return new ApiException(ApiError.STORAGE_UNAVAILABLE, "the object store is unavailable; nothing was stored");
    }
    if (failure instanceof RateLimiterUnavailableException) {
      return new ApiException(ApiError.UNAVAILABLE, "quota service unavailable; try again shortly");
    }
    if (DatabaseFailures.isUnavailable(failure)) {
      return new ApiException(ApiError.UNAVAILABLE, "database unavailable; try again shortly");
    }
    return null;
  }
}
