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

  /**
   * What the API and webhooks may show about this failure (issue #15.7): its kind only. The
   * message itself names internal hosts and ports and quotes the relay's TLS and AUTH replies,
   * so it belongs in the server log. Kinds: {@code relay unreachable} (no connection),
   * {@code relay authentication failed}, {@code relay TLS failed}, {@code relay timeout},
   * {@code relay connection closed}, else {@code relay error}.
   */
  public String publicReason() {
    String m = String.valueOf(getMessage());
    String lower = m.toLowerCase(java.util.Locale.ROOT);
    String kind;
    if (m.startsWith("cannot connect")) {
      kind = "relay unreachable";
    } else if (m.startsWith("AUTH") || m.contains("credentials") || m.contains("neither AUTH")) {
      kind = "relay authentication failed";
    } else if (lower.contains("tls") || lower.contains("ssl") || lower.contains("certificate")
        || lower.contains("pkix")) {
      kind = "relay TLS failed";
    } else if (m.startsWith("timeout") || m.contains("timed out")) {
      kind = "relay timeout";
    } else if (m.contains("closed")) {
      kind = "relay connection closed";
    } else {
      kind = "relay error";
    }
    return kind + " (details in the server log)";
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
