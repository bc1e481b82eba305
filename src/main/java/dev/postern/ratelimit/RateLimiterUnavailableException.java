package dev.postern.ratelimit;

/**
 * The limiter's store could not answer within its timeout and the limiter fails closed. An
 * expected condition during an outage, so it carries no stack trace of its own; the cause says
 * what went wrong.
 */
public final class RateLimiterUnavailableException extends RuntimeException {

  public RateLimiterUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
