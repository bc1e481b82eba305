package dev.postern.domains;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * RSA-2048 DKIM key pairs (RFC 8301 §3.2: signers MUST use at least 1024 bits, SHOULD use 2048).
 * New domains get RSA-2048, not ed25519 (RFC 8463): every verifier checks rsa-sha256 while not
 * every large receiver verifies ed25519, and a signature a receiver cannot verify counts as none.
 * The price is CPU: ~220 µs per RSA-2048 signature through AWS-LC against ~12 µs for ed25519
 * (bench/README.md "DKIM signing cost"). CPU-bound: call from a worker thread.
 */
final class DkimKeyPairs {

  /** @param publicKey base64 SubjectPublicKeyInfo for the DNS record; pkcs8 the private key to seal */
  record Generated(String publicKey, byte[] pkcs8) {}

  private DkimKeyPairs() {}

  static Generated rsa2048() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      return new Generated(Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
          pair.getPrivate().getEncoded());
    } catch (GeneralSecurityException impossible) {
      throw new IllegalStateException("RSA unavailable: " + impossible.getClass().getName());
    }
  }
}
