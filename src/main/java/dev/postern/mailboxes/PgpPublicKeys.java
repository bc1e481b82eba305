package dev.postern.mailboxes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Iterator;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * Checks that a mailbox's key is one ASCII-armoured OpenPGP public key block (RFC 9580 §6.2)
 * with at least one key able to encrypt, since that is what the {@code standard} tier does with
 * it. CPU work on untrusted input: call it on a worker thread.
 */
public final class PgpPublicKeys {

  /** At most this many characters are parsed; real public keys are a few KB. */
  public static final int MAX_CHARS = 64 * 1024;

  /** Exactly one of {@code fingerprint} (of the primary key, hex) and {@code problem} is set. */
  public record Checked(String fingerprint, String problem) {
    public boolean valid() {
      return fingerprint != null;
    }
  }

  private PgpPublicKeys() {}

  public static Checked check(String armoured) {
    if (armoured == null || armoured.isBlank()) {
      return problem("is required for the standard tier");
    }
    if (armoured.length() > MAX_CHARS) {
      return problem("must be at most " + MAX_CHARS + " characters");
    }
    if (!armoured.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
      return problem("must be an ASCII-armoured OpenPGP public key block");
    }
    try (InputStream in = ArmoredInputStream.builder()
        .build(new ByteArrayInputStream(armoured.getBytes(StandardCharsets.UTF_8)))) {
      PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
      Iterator<PGPPublicKeyRing> it = rings.getKeyRings();
      if (!it.hasNext()) {
        return problem("holds no OpenPGP public key");
      }
      PGPPublicKeyRing ring = it.next();
      if (it.hasNext()) {
        return problem("must hold exactly one OpenPGP public key");
      }
      boolean canEncrypt = false;
      for (Iterator<PGPPublicKey> keys = ring.getPublicKeys(); keys.hasNext(); ) {
        PGPPublicKey key = keys.next();
        canEncrypt |= key.isEncryptionKey() && !key.hasRevocation();
      }
      if (!canEncrypt) {
        return problem("has no key that can encrypt");
      }
      return new Checked(HexFormat.of().formatHex(ring.getPublicKey().getFingerprint()), null);
    } catch (IOException | PGPException | RuntimeException e) {
      // Garbage inside the armour: BouncyCastle reports it many ways; all mean the same here.
      return problem("is not a valid OpenPGP public key");
    }
  }

  private static Checked problem(String message) {
    return new Checked(null, message);
  }
}
