package dev.postern.smtp.session;

/** What the codec refuses at the byte level; {@link SmtpSession#violation} answers each. */
public enum ProtocolViolation {
  /** A bare LF or lone CR in a command or in DATA (SMTP smuggling): 521 5.5.2, close. */
  BARE_NEWLINE,
  /** A command line over 512 octets (RFC 5321 §4.5.3.1.4): 500 5.5.2, the line is dropped. */
  COMMAND_TOO_LONG,
  /**
   * A text line over 1000 octets in DATA (RFC 5321 §4.5.3.1.6): the message is refused with
   * 500 5.5.6 after the final dot; reported during DATA, the reply is deferred.
   */
  TEXT_LINE_TOO_LONG,
  /** An AUTH continuation line over 12288 octets (RFC 4954 §4): 500 5.5.6, AUTH cancelled. */
  AUTH_LINE_TOO_LONG,
  /** NUL or other bytes no command may hold: 500 5.5.2. */
  INVALID_COMMAND_BYTES,
  /** The client talked before the greeting (RFC 5321 §3.1; spam bots do): 554 5.5.1, close. */
  TALKED_BEFORE_GREETING,
  /** An HTTP request or a TLS ClientHello on a plaintext SMTP port: 554 5.5.1, close. */
  NOT_SMTP
}
