package dev.postern.delivery.dkim;

import java.security.PrivateKey;
import java.util.Locale;
import java.util.Objects;

/**
 * One domain's signing key: {@code d=} domain, {@code s=} selector, algorithm and the opened
 * private key. {@link #toString()} never shows the key.
 */
public record DkimKey(String domain, String selector, DkimAlgorithm algorithm,
    PrivateKey privateKey) {

  public DkimKey {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(privateKey, "privateKey");
    domain = domain.toLowerCase(Locale.ROOT);
    if (!privateKey.getAlgorithm().equalsIgnoreCase(algorithm.jcaKeyAlgorithm())
        && !(algorithm == DkimAlgorithm.ED25519_SHA256
            && privateKey.getAlgorithm().equalsIgnoreCase("EdDSA"))) {
      throw new IllegalArgumentException("a " + privateKey.getAlgorithm()
          + " key cannot sign " + algorithm.tag());
    }
  }

  @Override
  public String toString() {
    return "DkimKey[" + selector + "._domainkey." + domain + ", " + algorithm.tag() + "]";
  }
}
