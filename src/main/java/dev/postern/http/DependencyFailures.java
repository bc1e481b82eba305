package dev.postern.http;

import dev.postern.blob.BlobStoreException;
import dev.postern.ratelimit.RateLimiterUnavailableException;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;

/**
 * Maps an unreachable dependency to the contract's answer (SPEC §3): object store down → 502
 * {@code storage_unavailable}; database down, or Redis down under {@code fail_closed} → 503
 * {@code unavailable}. Everything else is left for the next translator (ultimately 500).
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
    if (databaseUnreachable(failure)) {
      return new ApiException(ApiError.UNAVAILABLE, "database unavailable; try again shortly");
    }
    return null;
  }

  static boolean databaseUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // SocketException covers refused connects and connections reset mid-query (server stopping).
      if (t instanceof SocketException || t instanceof ClosedConnectionException) {
        return true;
      }
      // SQLSTATE class 08 = connection exception; 57P01–57P03 = server shutting down / starting.
      if (t instanceof PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
        return true;
      }
      // The pool reports a wait-queue timeout when no connection could be obtained.
      if (t instanceof VertxException && String.valueOf(t.getMessage()).contains("Timeout")) {
        return true;
      }
    }
    return false;
  }
}
