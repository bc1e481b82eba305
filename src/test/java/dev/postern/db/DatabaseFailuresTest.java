package dev.postern.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/**
 * Issue #9: every way the database can vanish under a request is "unavailable" (REST 503, SMTP
 * 451 4.3.0), never an internal error. The message-only cases quote vertx-sql-client /
 * vertx-core 5.0.10 verbatim; {@code DatabaseFailuresIT} provokes the same failures for real.
 */
class DatabaseFailuresTest {

  @Test
  void aConnectionGivenOutJustBeforeTheServerWentAwayIsUnavailable() {
    // Vert.x 5.0.10, SocketConnectionBase.doSchedule; seen in DatabaseOutageIT as a 500.
    assertThat(DatabaseFailures.isUnavailable(
        VertxException.noStackTrace("Connection is not active now, current status: CLOSED"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(
        VertxException.noStackTrace("Connection is not active now, current status: CLOSING"))).isTrue();
  }

  @Test
  void commandsPendingOnAConnectionThatClosedAreUnavailable() {
    // Vert.x 5.0.10, SocketConnectionBase.handleClose (with and without the socket's cause).
    String text = "Pending requests failed to be sent due to connection has been closed.";
    assertThat(DatabaseFailures.isUnavailable(VertxException.noStackTrace(text))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(new VertxException(text, new IllegalStateException())))
        .isTrue();
  }

  @Test
  void aClosedOrClosingPoolIsUnavailable() {
    // Vert.x 5.0.10, SimpleConnectionPool: a VertxException, or a failed future's NoStackTraceThrowable.
    assertThat(DatabaseFailures.isUnavailable(new VertxException("Pool closed", true))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(Future.failedFuture("Pool closed").cause())).isTrue();
  }

  @Test
  void aWaitQueueTimeoutIsUnavailable() {
    // Vert.x 5.0.10, SqlConnectionPool: no connection within PoolOptions.connectionTimeout.
    assertThat(DatabaseFailures.isUnavailable(new VertxException("Timeout waiting for connection", true)))
        .isTrue();
  }

  @Test
  void resetsRefusalsAndClosedChannelsAreUnavailable() {
    // PostgreSQL's fast shutdown resets connections mid-query (seen in DatabaseOutageIT).
    assertThat(DatabaseFailures.isUnavailable(new SocketException("Connection reset"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(new ConnectException("Connection refused"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(new ClosedChannelException())).isTrue();
    assertThat(DatabaseFailures.isUnavailable(ClosedConnectionException.INSTANCE)).isTrue();
  }

  @Test
  void aWriteToAConnectionTheServerResetIsUnavailable() {
    // JDK 17 NIO (sun.nio.ch.IOUtil.write) reports ECONNRESET on a write as a plain IOException;
    // seen in DatabaseOutageIT (Vert.x 5.0.10, Netty 4.2 NIO) when PostgreSQL stopped mid-flush.
    assertThat(DatabaseFailures.isUnavailable(new java.io.IOException("Connection reset by peer")))
        .isTrue();
    assertThat(DatabaseFailures.isUnavailable(new java.io.IOException("Broken pipe"))).isTrue();
    assertThat(DatabaseFailures.isUnavailable(new java.io.IOException("No space left on device")))
        .as("other I/O errors are not the database going away").isFalse();
  }

  @Test
  void connectionAndShutdownSqlStatesAreUnavailable() {
    for (String state : new String[] {"08000", "08003", "08006", "08001", "08004", "08P01",
        "57P01", "57P02", "57P03", "57P04", "57P05", "53300"}) {
      assertThat(DatabaseFailures.isUnavailable(new PgException("gone", "FATAL", state, null)))
          .as(state).isTrue();
    }
  }

  @Test
  void aCauseDeepInTheChainCounts() {
    Throwable wrapped = new RuntimeException("outer",
        new IllegalStateException("middle", new SocketException("Connection reset")));
    assertThat(DatabaseFailures.isUnavailable(wrapped)).isTrue();
  }

  @Test
  void queryErrorsAndProgrammingErrorsAreNotUnavailable() {
    assertThat(DatabaseFailures.isUnavailable(new PgException("duplicate key", "ERROR", "23505", null)))
        .isFalse();
    assertThat(DatabaseFailures.isUnavailable(new PgException("syntax", "ERROR", "42601", null)))
        .isFalse();
    assertThat(DatabaseFailures.isUnavailable(new PgException("no state", "ERROR", null, null)))
        .isFalse();
    assertThat(DatabaseFailures.isUnavailable(new IllegalStateException("Pool closed")))
        .as("only the client's own failures are matched by text").isFalse();
    assertThat(DatabaseFailures.isUnavailable(new VertxException("Timeout in something else", true)))
        .isFalse();
    assertThat(DatabaseFailures.isUnavailable(null)).isFalse();
  }

  @Test
  void aCauseCycleEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(DatabaseFailures.isUnavailable(a)).isFalse();
  }
}
