package dev.postern.delivery.dkim;

/** A message that cannot be signed, or a key that cannot sign. Carries no key material. */
public final class DkimException extends RuntimeException {

  public DkimException(String message) {
    super(message, null, false, false);
  }
}
