package dev.postern.delivery.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native signing path: AWS-LC is really used where its library fits (so a broken native load
 * cannot silently fall back on the platforms we ship for), and what it signs verifies with the
 * JDK's own, independent implementation.
 */
class SigningProvidersTest {

  @Test
  void awsLcSignsOnTheLinuxPlatformsItsJarCarries() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    boolean shipped = os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"));
    if (shipped) {
      assertThat(SigningProviders.nativeAvailable()).isTrue();
      for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
        assertThat(SigningProviders.providerName(algorithm))
            .isEqualTo("AmazonCorrettoCryptoProvider");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DkimAlgorithm.class)
  void signaturesVerifyWithTheJdk(DkimAlgorithm algorithm) throws Exception {
    KeyPair pair = pair(algorithm);
    PrivateKey converted = SigningProviders.keyFactory(algorithm)
        .generatePrivate(new PKCS8EncodedKeySpec(pair.getPrivate().getEncoded()));
    byte[] data = "from:a@example.com\r\nsubject:hi\r\ndkim-signature:v=1; b="
        .getBytes(StandardCharsets.US_ASCII);
    for (PrivateKey key : new PrivateKey[] {converted, pair.getPrivate()}) {
      Signature signer = SigningProviders.signature(algorithm);
      signer.initSign(key);
      signer.update(data);
      byte[] signature = signer.sign();

      Signature verifier = Signature.getInstance(algorithm.jcaSignature(), jdkProvider(algorithm));
      verifier.initVerify(pair.getPublic());
      verifier.update(data);
      assertThat(verifier.verify(signature)).as("%s key %s", algorithm, key.getClass()).isTrue();

      data[0] ^= 1; // and a changed byte fails, so the check above can fail
      verifier.initVerify(pair.getPublic());
      verifier.update(data);
      assertThat(verifier.verify(signature)).isFalse();
      data[0] ^= 1;
    }
  }

  @ParameterizedTest
  @EnumSource(DkimAlgorithm.class)
  void keysKeepTheirEncoding(DkimAlgorithm algorithm) throws Exception {
    byte[] pkcs8 = pair(algorithm).getPrivate().getEncoded();
    PrivateKey converted = SigningProviders.keyFactory(algorithm)
        .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    PrivateKey back = KeyFactory.getInstance(algorithm.jcaKeyAlgorithm(), jdkProvider(algorithm))
        .generatePrivate(new PKCS8EncodedKeySpec(converted.getEncoded()));
    assertThat(back.getAlgorithm()).isIn("RSA", "EdDSA", "Ed25519");
  }

  private static KeyPair pair(DkimAlgorithm algorithm) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.jcaKeyAlgorithm(),
        jdkProvider(algorithm));
    if (algorithm == DkimAlgorithm.RSA_SHA256) {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private static String jdkProvider(DkimAlgorithm algorithm) {
    return algorithm == DkimAlgorithm.RSA_SHA256 ? "SunRsaSign" : "SunEC";
  }
}
