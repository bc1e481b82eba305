package dev.postern.smtp.session;

/**
 * Message submission (RFC 6409) on 587 with STARTTLS or 465 with implicit TLS (RFC 8314):
 * AUTH only over TLS (RFC 4954 §4: credentials never in the clear) and required before MAIL.
 */
public final class SubmissionPolicy implements ListenerPolicy {

  private final boolean startTls;

  /** @param startTls true on the STARTTLS port; false on the implicit-TLS port */
  public SubmissionPolicy(boolean startTls) {
    this.startTls = startTls;
  }

  @Override
  public boolean offersStartTls() {
    return startTls;
  }

  @Override
  public boolean authAllowed(boolean tls) {
    return tls;
  }

  @Override
  public boolean authRequired() {
    return true;
  }
}
