package dev.postern.ratelimit;

/** What a limiter backed by a remote store does when the store cannot answer in time (SPEC §3). */
public enum FailureMode {
  /** Allow the request, reporting the full limit as remaining: availability over enforcement. */
  FAIL_OPEN,
  /** Fail with {@link RateLimiterUnavailableException}, which the HTTP layer answers with 503. */
  FAIL_CLOSED
}
