package dev.postern.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A well-formed API key value (its checksum already verified). Only {@link KeyFormat} creates
 * one, so holding an instance means "syntactically a real key", not "a key that exists".
 *
 * <p>{@link #toString()} never shows the secret, not even the lookup prefix (SPEC §2: no key,
 * prefix or plaintext ever reaches a log line); read it deliberately through {@link #plaintext()}.
 * {@link #equals} compares in constant time.
 */
public final class ApiKeySecret {

  private final String keyPrefix;
  private final KeyMode mode;
  private final String lookupPrefix;
  private final String plaintext;

  ApiKeySecret(String keyPrefix, KeyMode mode, String lookupPrefix, String plaintext) {
    this.keyPrefix = keyPrefix;
    this.mode = mode;
    this.lookupPrefix = lookupPrefix;
    this.plaintext = plaintext;
  }

  public KeyMode mode() {
    return mode;
  }

  /** The first 12 hex after the mode: stored in the clear and indexed, but still not for logs. */
  public String lookupPrefix() {
    return lookupPrefix;
  }

  /** The full key, e.g. {@code pst_live_<48 hex>}. Handle with care: it is the credential. */
  public String plaintext() {
    return plaintext;
  }

  /** The full key as ASCII bytes, the form {@link KeyVault} seals and compares. */
  public byte[] plaintextBytes() {
    return plaintext.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ApiKeySecret that
        && MessageDigest.isEqual(plaintextBytes(), that.plaintextBytes());
  }

  @Override
  public int hashCode() {
    // The mode alone: enough for hash containers, and reveals nothing about the secret.
    return mode.hashCode();
  }

  @Override
  public String toString() {
    return keyPrefix + "_" + mode.wire() + "_…(redacted)";
  }
}
