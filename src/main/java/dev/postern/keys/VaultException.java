package dev.postern.keys;

/**
 * {@link KeyVault} could not open a sealed value. The message names the reason only: no key
 * material, plaintext or ciphertext, and no cause chain that might carry any.
 */
public final class VaultException extends RuntimeException {

  public enum Reason {
    /** The row was sealed under a master version that is not configured any more. */
    UNKNOWN_MASTER_VERSION,
    /** GCM authentication failed: wrong row id, wrong info, tampered bytes or wrong master. */
    AUTHENTICATION_FAILED,
    /** Salt or ciphertext has an impossible size (truncated or corrupted column). */
    MALFORMED
  }

  private final Reason reason;

  VaultException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
