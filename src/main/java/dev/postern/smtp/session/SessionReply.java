package dev.postern.smtp.session;

import io.netty.handler.codec.smtp.SmtpResponse;
import java.util.Objects;

/**
 * What the glue writes ({@code response}) and how it reads next ({@code next}).
 *
 * <p>One exception: {@link SmtpSession#violation} during DATA may answer with {@link Next#DATA},
 * meaning "deferred": send nothing now, keep feeding data; {@link SmtpSession#dataEnd} answers.
 */
public record SessionReply(SmtpResponse response, Next next) {

  /** What the glue reads after writing the reply. */
  public enum Next {
    /** Command lines. */
    COMMANDS,
    /** Message data, after 354: {@link SmtpSession#data} chunks, then {@link SmtpSession#dataEnd}. */
    DATA,
    /** One AUTH continuation line, after 334: {@link SmtpSession#authLine}. */
    AUTH_LINE,
    /** After 220 Ready: discard buffered input, start the TLS handshake, then {@link SmtpSession#tlsStarted}. */
    START_TLS,
    /** Write the reply, then close the connection. */
    CLOSE
  }

  public SessionReply {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(next, "next");
  }

  static SessionReply commands(SmtpResponse response) {
    return new SessionReply(response, Next.COMMANDS);
  }

  static SessionReply close(SmtpResponse response) {
    return new SessionReply(response, Next.CLOSE);
  }
}
