package dev.postern.smtp.server;

import dev.postern.smtp.codec.SmtpViolation;
import dev.postern.smtp.session.ProtocolViolation;

/** The codec's byte-level refusals in the session's vocabulary (the session chooses the reply). */
final class Violations {

  private Violations() {}

  /**
   * @param inAuthLine the decoder was reading an AUTH continuation line, where a too-long line
   *     cancels the AUTH rather than the message
   */
  static ProtocolViolation of(SmtpViolation violation, boolean inAuthLine) {
    return switch (violation.kind()) {
      case BARE_LF, LONE_CR -> ProtocolViolation.BARE_NEWLINE;
      case COMMAND_TOO_LONG -> ProtocolViolation.COMMAND_TOO_LONG;
      case TEXT_LINE_TOO_LONG -> inAuthLine ? ProtocolViolation.AUTH_LINE_TOO_LONG
          : ProtocolViolation.TEXT_LINE_TOO_LONG;
      case NUL_BYTE -> ProtocolViolation.INVALID_COMMAND_BYTES;
      // A TLS ClientHello or an HTTP request on a plaintext port, or a client pushing far more
      // than pipelining allows while the server waits: not an SMTP client; refuse and close.
      case TLS_HANDSHAKE_ON_PLAINTEXT, HTTP_REQUEST, PIPELINED_INPUT_TOO_LARGE -> ProtocolViolation.NOT_SMTP;
    };
  }
}
