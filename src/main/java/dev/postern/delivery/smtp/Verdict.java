package dev.postern.delivery.smtp;

/** What one reply means for one recipient (SPEC §6): 2xx delivered, 4xx retry, 5xx bounce. */
public enum Verdict {
  DELIVERED, TRANSIENT, PERMANENT;

  public static Verdict of(SmtpReply reply) {
    return reply.positive() ? DELIVERED : reply.transientFailure() ? TRANSIENT : PERMANENT;
  }
}
