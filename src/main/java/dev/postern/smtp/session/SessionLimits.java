package dev.postern.smtp.session;


/**
 * Per-listener protocol limits.
 *
 * @param maxRecipients RCPTs per transaction (RFC 5321 §4.5.3.1.8 asks for at least 100); the
 *     excess gets 452 4.5.3
 * @param maxMessageBytes the SIZE advertised (RFC 1870) and enforced during DATA
 * @param maxAuthFailures failed AUTHs in one session before 421 4.7.0 and close
 * @param maxBufferedBytes message bytes the data pipe holds before {@link SmtpSession#data}
 *     answers false (the glue then pauses the socket)
 */
public record SessionLimits(int maxRecipients, long maxMessageBytes, int maxAuthFailures,
    int maxBufferedBytes) {

  public static final int DEFAULT_MAX_RECIPIENTS = 100;

  public SessionLimits {
    if (maxRecipients < 1 || maxMessageBytes < 1 || maxAuthFailures < 1 || maxBufferedBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  public static SessionLimits of(long maxMessageBytes) {
    return new SessionLimits(DEFAULT_MAX_RECIPIENTS, maxMessageBytes, 3, 256 * 1024);
  }
}
