package dev.postern.delivery.smtp;

/**
 * A relay could not be used or stopped answering: refused or timed-out connections, TLS or AUTH
 * failures, a dropped connection or a stall. {@link #contentSent()} tells whether the relay may
 * already hold the message (the failure came after the content was written), in which case
 * another relay must not be tried in the same attempt.
 */
public final class RelayFailure extends RuntimeException {

  private final boolean contentSent;

  public RelayFailure(String message, boolean contentSent) {
    super(message, null, false, false);
    this.contentSent = contentSent;
  }

  public static RelayFailure before(String message) {
    return new RelayFailure(message, false);
  }

  public boolean contentSent() {
    return contentSent;
  }

  /** A failure from below (socket, TLS, parser) as a RelayFailure, keeping its first line. */
  public static RelayFailure of(Throwable e, boolean contentSent) {
    if (e instanceof RelayFailure f) {
      return f.contentSent == contentSent || f.contentSent ? f : new RelayFailure(f.getMessage(), true);
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return new RelayFailure(newline < 0 ? message : message.substring(0, newline), contentSent);
  }
}
