package dev.postern.send;

/**
 * A value of the send body that failed validation. The message is a reason written for the API
 * client and never echoes the offending input (nothing user-supplied reaches logs through it).
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
