package dev.postern.auth;

/**
 * Authentication failed. Deliberately says nothing about why (malformed, unknown, revoked,
 * expired and wrong secret all look the same to the caller and in logs).
 */
public final class UnauthorizedException extends RuntimeException {

  public UnauthorizedException() {
    super("invalid API key", null, false, false);
  }
}
