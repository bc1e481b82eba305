package dev.postern.smtp.session;

import java.util.Objects;

/**
 * What a session needs from the core, as narrow ports, plus the per-address AUTH slow-down that
 * all sessions of a server share.
 */
public record SmtpServices(KeyCheck keys, QuotaPeek quotas, MessageSink sink, SessionAudit audit,
    AuthThrottle authThrottle) {

  public SmtpServices {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(quotas, "quotas");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(authThrottle, "authThrottle");
  }
}
