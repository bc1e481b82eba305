package dev.postern.inbound.pgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * OpenPGP v4 keys shaped as gpg 2.2 generates them: a primary key that certifies and signs, and
 * an encryption subkey (key flags say so, RFC 9580 §5.2.3.29). RSA: two RSA keys of the size;
 * Curve25519: an Ed25519 (EdDSA legacy) primary and an ECDH Curve25519 subkey. Secret keys are
 * unprotected (tests only). Generated once per test JVM: RSA-3072 takes a while.
 */
public record TestPgpKeys(PGPSecretKeyRing secret, PGPPublicKeyRing publicRing, String armouredPublic,
    String armouredSecret) {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final class Holder {
    static final TestPgpKeys RSA_2048 = rsa(2048, "rsa2048");
    static final TestPgpKeys RSA_3072 = rsa(3072, "rsa3072");
    static final TestPgpKeys CURVE_25519 = curve25519("cv25519");
    static final TestPgpKeys LONE_RSA = loneRsa("lonersa");
  }

  public static TestPgpKeys rsa2048() {
    return Holder.RSA_2048;
  }

  static TestPgpKeys rsa3072() {
    return Holder.RSA_3072;
  }

  public static TestPgpKeys curve25519() {
    return Holder.CURVE_25519;
  }

  /**
   * A single RSA-2048 key, no subkey, flagged certify + sign only: the shape of the older
   * {@code /pgp/bot.pub.asc} fixture that {@code PgpPublicKeys.check} accepts.
   */
  static TestPgpKeys loneRsa() {
    return Holder.LONE_RSA;
  }

  /** The key ID of the encryption subkey, else of the primary (what a PKESK packet names). */
  long encryptionKeyId() {
    var keys = publicRing.getPublicKeys();
    long primary = keys.next().getKeyID();
    return keys.hasNext() ? keys.next().getKeyID() : primary;
  }

  static TestPgpKeys rsa(int bits, String name) {
    RSAKeyPairGenerator generator = new RSAKeyPairGenerator();
    generator.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), RANDOM, bits, 80));
    return ring(name, PublicKeyAlgorithmTags.RSA_GENERAL, generator.generateKeyPair(),
        PublicKeyAlgorithmTags.RSA_GENERAL, generator.generateKeyPair());
  }

  static TestPgpKeys loneRsa(String name) {
    RSAKeyPairGenerator generator = new RSAKeyPairGenerator();
    generator.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), RANDOM, 2048, 80));
    return ring(name, PublicKeyAlgorithmTags.RSA_GENERAL, generator.generateKeyPair(), 0, null);
  }

  static TestPgpKeys curve25519(String name) {
    Ed25519KeyPairGenerator signing = new Ed25519KeyPairGenerator();
    signing.init(new Ed25519KeyGenerationParameters(RANDOM));
    X25519KeyPairGenerator agreement = new X25519KeyPairGenerator();
    agreement.init(new X25519KeyGenerationParameters(RANDOM));
    return ring(name, PublicKeyAlgorithmTags.EDDSA_LEGACY, signing.generateKeyPair(),
        PublicKeyAlgorithmTags.ECDH, agreement.generateKeyPair());
  }

  private static TestPgpKeys ring(String name, int primaryAlgorithm,
      AsymmetricCipherKeyPair primaryPair, int subkeyAlgorithm, AsymmetricCipherKeyPair subkeyPair) {
    try {
      Date now = new Date(System.currentTimeMillis() - 60_000); // before "now" on every clock
      PGPKeyPair primary = new BcPGPKeyPair(primaryAlgorithm, primaryPair, now);
      PGPSignatureSubpacketGenerator primaryFlags = new PGPSignatureSubpacketGenerator();
      primaryFlags.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      PGPSignatureSubpacketGenerator subkeyFlags = new PGPSignatureSubpacketGenerator();
      subkeyFlags.setKeyFlags(false, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE);
      PGPKeyRingGenerator generator = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION,
          primary, name + " <" + name + "@postern.test>",
          new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
          primaryFlags.generate(), null,
          new BcPGPContentSignerBuilder(primaryAlgorithm, HashAlgorithmTags.SHA256), null);
      if (subkeyPair != null) {
        generator.addSubKey(new BcPGPKeyPair(subkeyAlgorithm, subkeyPair, now),
            subkeyFlags.generate(), null);
      }
      PGPSecretKeyRing secret = generator.generateSecretKeyRing();
      PGPPublicKeyRing publicRing = generator.generatePublicKeyRing();
      return new TestPgpKeys(secret, publicRing, armour(publicRing::encode),
          armour(secret::encode));
    } catch (PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Encoder {
    void encode(OutputStream out) throws IOException;
  }

  private static String armour(Encoder encoder) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream out = ArmoredOutputStream.builder().build(bytes)) {
      encoder.encode(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }
}
