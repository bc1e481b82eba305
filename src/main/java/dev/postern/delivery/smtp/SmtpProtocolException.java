package dev.postern.delivery.smtp;

/** The relay broke the protocol (malformed reply, oversized line): the connection is unusable. */
public final class SmtpProtocolException extends RuntimeException {
  public SmtpProtocolException(String message) {
    super(message, null, false, false);
  }
}
