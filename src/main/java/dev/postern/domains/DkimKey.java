package dev.postern.domains;

import java.security.PrivateKey;

/**
 * A domain's opened DKIM signing key, for the delivery stage. Hold it only as long as a signing
 * takes; {@link #toString()} never shows the key.
 */
public record DkimKey(String domain, String selector, String algorithm, PrivateKey privateKey) {
  @Override
  public String toString() {
    return "DkimKey[" + selector + "._domainkey." + domain + ", " + algorithm + ", (private key redacted)]";
  }
}
