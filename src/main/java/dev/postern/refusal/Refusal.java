package dev.postern.refusal;

import dev.postern.ratelimit.Decision;
import java.util.List;
import java.util.Optional;

/**
 * An expected refusal, returned (as a failed future) or thrown by the core and rendered by each
 * edge. A value, not a bug: it carries no stack trace.
 */
public final class Refusal extends RuntimeException {

  private final Reason reason;
  private final List<Issue> issues;
  private final Decision quota;
  private final long retryAfterSeconds;

  private Refusal(Reason reason, String message, List<Issue> issues, Decision quota,
      long retryAfterSeconds) {
    super(message, null, false, false);
    this.reason = reason;
    this.issues = List.copyOf(issues);
    this.quota = quota;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static Refusal of(Reason reason, String message) {
    return new Refusal(reason, message, List.of(), null, 0);
  }

  /** Every failing field at once, so a client can fix them all in one round. */
  public static Refusal invalid(List<Issue> issues) {
    String message = issues.size() == 1
        ? issues.get(0).path() + ": " + issues.get(0).message()
        : issues.size() + " fields are invalid";
    return new Refusal(Reason.INVALID, message, issues, null, 0);
  }

  public static Refusal invalid(String path, String message) {
    return invalid(List.of(new Issue(path, message)));
  }

  /** Over quota: the limiter's decision (limit, remaining, reset) and when to try again. */
  public static Refusal quota(Decision decision, String message, long retryAfterSeconds) {
    return new Refusal(Reason.QUOTA, message, List.of(), decision, retryAfterSeconds);
  }

  public Reason reason() {
    return reason;
  }

  public List<Issue> issues() {
    return issues;
  }

  /** The quota decision behind a {@link Reason#QUOTA} refusal. */
  public Optional<Decision> quota() {
    return Optional.ofNullable(quota);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** A copy whose message is prefixed, e.g. with the index of a batch item. */
  public Refusal prefixed(String prefix) {
    return new Refusal(reason, prefix + getMessage(), issues, quota, retryAfterSeconds);
  }
}
