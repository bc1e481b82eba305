package dev.postern.smtp.codec;

import java.util.Objects;

/**
 * Input the SMTP server decoder refuses to turn into a command, a text line or message content.
 * Emitted in stream order, in place of what the offending bytes would have been; the session turns
 * it into a reply. When {@link #closesConnection()} the decoder has stopped for good (it discards
 * every further byte) and the connection must be closed after the reply.
 */
public record SmtpViolation(Kind kind, String detail) {

  public SmtpViolation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }

  public boolean closesConnection() {
    return kind.closesConnection();
  }

  /** What was refused. */
  public enum Kind {
    /** An LF not preceded by CR (REJECT mode): SMTP smuggling, RFC 5321 §2.3.8. Fatal. */
    BARE_LF(true),
    /** A CR not followed by LF, in any mode: RFC 5321 §2.3.8. Fatal. */
    LONE_CR(true),
    /** A command line over {@code maxCommandLine} octets incl. CRLF (RFC 5321 §4.5.3.1.4).
     *  The line is discarded up to its end; the next command is decoded. */
    COMMAND_TOO_LONG(false),
    /** An AUTH continuation line over {@code maxTextLine}, or a DATA line over it (RFC 5321
     *  §4.5.3.1.6). In DATA the rest of the message is discarded up to the end of data, which
     *  is still reported by a LastSmtpContent. */
    TEXT_LINE_TOO_LONG(false),
    /** A NUL octet in a command line or an AUTH line: the line is refused (RFC 5321 §4.1.1
     *  commands are text; RFC 6152 §3 forbids NUL even in 8bit data). Inside DATA a NUL is
     *  passed through as content: the message is stored raw. */
    NUL_BYTE(false),
    /** The first byte on the connection is a TLS record (0x16): a TLS client on a plaintext
     *  port. Fatal. */
    TLS_HANDSHAKE_ON_PLAINTEXT(true),
    /** An HTTP method as the command verb (GET, POST, CONNECT, ...): a browser or a proxy probe,
     *  closed as Postfix's {@code smtpd_forbidden_commands} does. Fatal. */
    HTTP_REQUEST(true),
    /** While the decoder waits for the session's answer (after DATA, AUTH, STARTTLS, BDAT or the
     *  end of data) the client sent more than a pipelining client ever needs (RFC 2920 §3.1:
     *  DATA, AUTH and STARTTLS end a pipelined group). Fatal, so memory stays bounded. */
    PIPELINED_INPUT_TOO_LARGE(true);

    private final boolean closesConnection;

    Kind(boolean closesConnection) {
      this.closesConnection = closesConnection;
    }

    public boolean closesConnection() {
      return closesConnection;
    }
  }
}
