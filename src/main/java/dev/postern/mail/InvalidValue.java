package dev.postern.mail;

/**
 * A value that failed validation (a field of the send body, an address given to the admin API).
 * The message is a reason written for the API client and never echoes the offending input
 * (nothing user-supplied reaches logs through it).
 * Carries no stack trace: it is an expected outcome, not a bug.
 */
public final class InvalidValue extends IllegalArgumentException {

  public InvalidValue(String reason) {
    super(reason);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
