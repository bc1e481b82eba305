package dev.postern.db;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a failure means "the database is not there right now" — the one question every
 * edge asks before it answers (REST: 503 {@code unavailable}; SMTP: 451 4.3.0). Protocol-neutral:
 * callers turn the answer into their own wire vocabulary.
 *
 * <p>The cause chain is classified by exception type and by SQLSTATE wherever the client gives
 * one. Some failures of vertx-sql-client carry neither (a bare {@code VertxException} with a
 * message), so their texts are matched here and only here; each is pinned by a unit test naming
 * the Vert.x version it was seen on, and by {@code DatabaseFailuresIT} which provokes it against
 * a real server, so an upgrade that rewords one fails the build instead of turning a 503 into a
 * 500.
 */
public final class DatabaseFailures {

  /** SQLSTATE classes and codes that mean the server or the connection went away. */
  private static final String CONNECTION_EXCEPTION_CLASS = "08"; // 08000–08P01
  private static final String OPERATOR_INTERVENTION_PREFIX = "57P"; // 57P01–57P05: shutdown, crash, starting, dropped, idle timeout
  private static final Set<String> OTHER_UNAVAILABLE_STATES = Set.of(
      "53300"); // too_many_connections: the server refuses new connections (e.g. while restarting)

  /**
   * Messages of type-less failures, as vertx-sql-client / vertx-core 5.0.10 word them.
   * Matched as prefixes of {@code getMessage()}.
   */
  static final List<String> UNAVAILABLE_MESSAGES = List.of(
      // SocketConnectionBase.doSchedule: a command given to a connection that closed (CLOSED)
      // or is closing (CLOSING) — the pool handed it out just before the server went away.
      "Connection is not active now",
      // SocketConnectionBase.handleClose: commands queued on a connection that then closed.
      "Pending requests failed to be sent due to connection has been closed",
      // SimpleConnectionPool: the pool is closed or closing (gateway shutting down).
      "Pool closed",
      // SqlConnectionPool: no connection within PoolOptions.connectionTimeout (wait queue).
      "Timeout waiting for connection");

  /**
   * Socket errors that the JDK reports as a plain {@link IOException} rather than a
   * {@link SocketException}: a write to a connection the server already reset (JDK 17 NIO,
   * {@code IOUtil.write} → errno text; seen in DatabaseOutageIT as a 500 when PostgreSQL stopped
   * while a query was being flushed), and the same errno texts from Netty's native transports.
   */
  static final List<String> SOCKET_ERROR_MESSAGES = List.of(
      "Connection reset by peer",
      "Broken pipe");

  /** Guards against cause cycles and absurd chains. */
  private static final int MAX_CAUSE_DEPTH = 32;

  private DatabaseFailures() {}

  /** True when {@code failure} (or anything in its cause chain) means the database is unreachable. */
  public static boolean isUnavailable(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH; t = next(t), depth++) {
      if (isUnavailableItself(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnavailableItself(Throwable t) {
    // Refused or timed-out connects (ConnectException, netty's ConnectTimeoutException) and
    // connections reset mid-query (PostgreSQL's fast shutdown) are all SocketExceptions.
    if (t instanceof SocketException || t instanceof ClosedChannelException
        || t instanceof ClosedConnectionException) {
      return true;
    }
    if (t instanceof IOException && t.getMessage() != null
        && SOCKET_ERROR_MESSAGES.stream().anyMatch(t.getMessage()::contains)) {
      return true;
    }
    if (t instanceof DatabaseException db) {
      return unavailableSqlState(db.getSqlState());
    }
    return t instanceof VertxException && matchesKnownMessage(t.getMessage());
  }

  static boolean unavailableSqlState(String state) {
    return state != null && (state.startsWith(CONNECTION_EXCEPTION_CLASS)
        || state.startsWith(OPERATOR_INTERVENTION_PREFIX)
        || OTHER_UNAVAILABLE_STATES.contains(state));
  }

  private static boolean matchesKnownMessage(String message) {
    if (message == null) {
      return false;
    }
    for (String known : UNAVAILABLE_MESSAGES) {
      if (message.startsWith(known)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable next(Throwable t) {
    Throwable cause = t.getCause();
    return cause == t ? null : cause;
  }
}
