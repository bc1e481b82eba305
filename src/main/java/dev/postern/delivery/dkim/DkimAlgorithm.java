package dev.postern.delivery.dkim;

import java.util.Locale;

/**
 * The signing algorithms Postern publishes and signs with: RFC 6376 §3.3.1 {@code rsa-sha256}
 * and RFC 8463 {@code ed25519-sha256}. The tag is the value of {@code a=} and of
 * {@code domains.dkim_algorithm}.
 */
public enum DkimAlgorithm {
  RSA_SHA256("rsa-sha256", "rsa", "RSA", "SHA256withRSA"),
  /** RFC 8463 §3: PureEdDSA over the SHA-256 hash of the header data, not over the data. */
  ED25519_SHA256("ed25519-sha256", "ed25519", "Ed25519", "Ed25519");

  private final String tag;
  private final String keyType;
  private final String jcaKeyAlgorithm;
  private final String jcaSignature;

  DkimAlgorithm(String tag, String keyType, String jcaKeyAlgorithm, String jcaSignature) {
    this.tag = tag;
    this.keyType = keyType;
    this.jcaKeyAlgorithm = jcaKeyAlgorithm;
    this.jcaSignature = jcaSignature;
  }

  /** The {@code a=} value. */
  public String tag() {
    return tag;
  }

  /** The {@code k=} value of the DNS record (RFC 6376 §3.6.1, RFC 8463 §4). */
  public String keyType() {
    return keyType;
  }

  String jcaKeyAlgorithm() {
    return jcaKeyAlgorithm;
  }

  String jcaSignature() {
    return jcaSignature;
  }

  public static DkimAlgorithm fromTag(String tag) {
    String wanted = tag == null ? "" : tag.trim().toLowerCase(Locale.ROOT);
    for (DkimAlgorithm algorithm : values()) {
      if (algorithm.tag.equals(wanted)) {
        return algorithm;
      }
    }
    throw new IllegalArgumentException("unsupported DKIM algorithm: " + tag);
  }
}
