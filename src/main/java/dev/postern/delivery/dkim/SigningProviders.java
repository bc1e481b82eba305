package dev.postern.delivery.dkim;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Signature;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which JCA provider performs DKIM's private-key operations: AWS-LC through the Amazon Corretto
 * Crypto Provider (ACCP) when its native library loads on this platform (Linux on x86-64 or
 * aarch64), else the JDK's. On the 2-core dev box an RSA-2048 signature costs 220 µs of CPU
 * through AWS-LC against 742 µs through the JDK's SunRsaSign (bench/README.md "DKIM signing
 * cost"): one signature per relayed message made it the largest single cost of e2e-relay.
 *
 * <p>ACCP is asked by name for these two services only and is never installed as a global
 * provider, so TLS, the PostgreSQL client's SCRAM, the key vault and BouncyCastle keep the
 * JDK's providers. A key made by another provider still signs here (ACCP translates it on each
 * {@code initSign}); {@link DkimKeys} makes its keys with {@link #keyFactory} so they are
 * translated once, when the key is decrypted.
 */
public final class SigningProviders {

  private static final Logger LOG = LoggerFactory.getLogger(SigningProviders.class);
  private static final Optional<Provider> NATIVE = loadNative();

  private SigningProviders() {}

  /** A signature engine for {@code algorithm}, from AWS-LC when it offers one. */
  static Signature signature(DkimAlgorithm algorithm) throws NoSuchAlgorithmException {
    if (NATIVE.isPresent()) {
      try {
        return Signature.getInstance(algorithm.jcaSignature(), NATIVE.get());
      } catch (NoSuchAlgorithmException e) {
        // this ACCP lacks the algorithm: the JDK's below
      }
    }
    return Signature.getInstance(algorithm.jcaSignature());
  }

  /** The key factory matching {@link #signature} for {@code algorithm}. */
  static KeyFactory keyFactory(DkimAlgorithm algorithm) throws GeneralSecurityException {
    if (NATIVE.isPresent()) {
      try {
        Signature.getInstance(algorithm.jcaSignature(), NATIVE.get());
        return KeyFactory.getInstance(algorithm.jcaKeyAlgorithm(), NATIVE.get());
      } catch (NoSuchAlgorithmException e) {
        // as above
      }
    }
    return KeyFactory.getInstance(algorithm.jcaKeyAlgorithm());
  }

  /** The provider that signs {@code algorithm} here, for logs and tests. */
  public static String providerName(DkimAlgorithm algorithm) {
    try {
      return signature(algorithm).getProvider().getName();
    } catch (NoSuchAlgorithmException e) {
      return "none (" + e.getMessage() + ")";
    }
  }

  /** True when AWS-LC's library loaded and passed ACCP's self-tests. */
  public static boolean nativeAvailable() {
    return NATIVE.isPresent();
  }

  private static Optional<Provider> loadNative() {
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable error = accp.getLoadingError();
      if (error != null) {
        LOG.info("DKIM signs with the JDK's providers: AWS-LC (ACCP) did not load here: {}",
            error.toString());
        return Optional.empty();
      }
      accp.assertHealthy();
      LOG.info("DKIM signs with AWS-LC through {} {}", accp.getName(), accp.getVersionStr());
      return Optional.of(accp);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("DKIM signs with the JDK's providers: AWS-LC (ACCP) is unusable: {}", e.toString());
      return Optional.empty();
    }
  }
}
