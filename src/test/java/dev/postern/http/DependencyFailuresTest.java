package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.blob.BlobStoreException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** SPEC §3: an unreachable dependency is 502 / 503 in the contract's vocabulary, never 500. */
class DependencyFailuresTest {

  private final DependencyFailures failures = new DependencyFailures();

  @Test
  void aDatabaseConnectionResetWhileTheServerStopsIsUnavailable() {
    // Seen in DatabaseOutageIT: PostgreSQL's fast shutdown resets connections mid-query.
    assertThat(failures.apply(new SocketException("Connection reset")).error())
        .isEqualTo(ApiError.UNAVAILABLE);
  }

  @Test
  void aRefusedOrClosedDatabaseConnectionIsUnavailable() {
    assertThat(failures.apply(new ConnectException("Connection refused")).error())
        .isEqualTo(ApiError.UNAVAILABLE);
    assertThat(failures.apply(ClosedConnectionException.INSTANCE).error())
        .isEqualTo(ApiError.UNAVAILABLE);
    assertThat(failures.apply(new PgException("terminating connection", "FATAL", "57P01", null))
        .error()).isEqualTo(ApiError.UNAVAILABLE);
  }

  @Test
  void anObjectStoreFailureIsStorageUnavailable() {
    assertThat(failures.apply(new BlobStoreException("S3 put failed", null)).error())
        .isEqualTo(ApiError.STORAGE_UNAVAILABLE);
  }

  @Test
  void aProgrammingErrorIsLeftForTheGenericHandler() {
    assertThat(failures.apply(new IllegalStateException("bug"))).isNull();
  }
}
