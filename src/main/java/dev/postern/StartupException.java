package dev.postern;

/**
 * A start-up failure an operator can fix (unreachable database, port in use, data directory
 * locked). Main prints its one-line message and exits non-zero, without a stack trace.
 */
public final class StartupException extends RuntimeException {

  public StartupException(String message) {
    super(message, null, false, false);
  }
}
