package dev.postern.keys;

import java.util.Arrays;
import java.util.Objects;

/**
 * One value sealed by {@link KeyVault}, as stored in a row: the HKDF salt, the 12-byte GCM nonce
 * followed by ciphertext and 16-byte tag, and the master secret version it was sealed under.
 * None of it is secret, but {@link #toString()} shows only sizes and version anyway.
 *
 * <p>Arrays are copied in and out, so instances are immutable; equality is by content.
 */
public record Sealed(byte[] salt, byte[] ciphertext, int masterVersion) {

  public Sealed {
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(ciphertext, "ciphertext");
    salt = salt.clone();
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  /** Nonce (12 bytes) || AES-GCM ciphertext || tag (16 bytes). */
  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Sealed that
        && masterVersion == that.masterVersion
        && Arrays.equals(salt, that.salt)
        && Arrays.equals(ciphertext, that.ciphertext);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(salt) + Arrays.hashCode(ciphertext)) + masterVersion;
  }

  @Override
  public String toString() {
    return "Sealed[v" + masterVersion + ", salt=" + salt.length + " bytes, ciphertext="
        + ciphertext.length + " bytes]";
  }
}
