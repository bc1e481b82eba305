package dev.postern.mailboxes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Iterator;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * Checks that a mailbox's key is one ASCII-armoured OpenPGP public key block (RFC 9580 §6.2)
 * with at least one key able to encrypt, since that is what the {@code standard} tier does with
 * it; and picks that key for the encryptor ({@code inbound.pgp}), so both agree on what a usable
 * key is. CPU work on untrusted input: call it on a worker thread.
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
    try {
      PGPPublicKeyRing ring = parse(armoured);
      encryptionKey(ring);
      return new Checked(HexFormat.of().formatHex(ring.getPublicKey().getFingerprint()), null);
    } catch (IllegalArgumentException e) {
      return new Checked(null, e.getMessage());
    } catch (RuntimeException e) {
      return new Checked(null, "is not a valid OpenPGP public key"); // malformed subpackets
    }
  }

  /**
   * The one key ring of an armoured public key block. Throws {@link IllegalArgumentException}
   * whose message completes "the key ..." (e.g. "is not a valid OpenPGP public key").
   */
  public static PGPPublicKeyRing parse(String armoured) {
    if (armoured == null || armoured.isBlank()) {
      throw problem("is required for the standard tier");
    }
    if (armoured.length() > MAX_CHARS) {
      throw problem("must be at most " + MAX_CHARS + " characters");
    }
    if (!armoured.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
      throw problem("must be an ASCII-armoured OpenPGP public key block");
    }
    PGPPublicKeyRingCollection rings;
    try (InputStream in = ArmoredInputStream.builder()
        .build(new ByteArrayInputStream(armoured.getBytes(StandardCharsets.UTF_8)))) {
      rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
    } catch (IOException | PGPException | RuntimeException e) {
      // Garbage inside the armour: BouncyCastle reports it many ways; all mean the same here.
      throw problem("is not a valid OpenPGP public key");
    }
    Iterator<PGPPublicKeyRing> it = rings.getKeyRings();
    if (!it.hasNext()) {
      throw problem("holds no OpenPGP public key");
    }
    PGPPublicKeyRing ring = it.next();
    if (it.hasNext()) {
      throw problem("must hold exactly one OpenPGP public key");
    }
    return ring;
  }

  /**
   * The key a message to this ring is encrypted to, as gpg chooses it: among the keys whose
   * algorithm can encrypt and that are neither revoked nor expired, the newest one whose newest
   * self-signature carries key flags allowing encryption (RFC 9580 §5.2.3.29) — with keys as gpg
   * makes them, the encryption subkey. Failing that, the newest such key whatever its flags say
   * (a lone RSA key flagged for signing only, as this check has always accepted: gpg still
   * decrypts what is encrypted to it). Revocations and flags are read, not verified: the mailbox
   * owner supplies the key. Throws {@link IllegalArgumentException} ("has no key that can encrypt").
   */
  public static PGPPublicKey encryptionKey(PGPPublicKeyRing ring) {
    long primaryId = ring.getPublicKey().getKeyID();
    long now = System.currentTimeMillis();
    PGPPublicKey flagged = null;
    PGPPublicKey capable = null;
    for (Iterator<PGPPublicKey> keys = ring.getPublicKeys(); keys.hasNext(); ) {
      PGPPublicKey key = keys.next();
      if (!key.isEncryptionKey() || key.hasRevocation() || expired(key, now)) {
        continue;
      }
      capable = newer(capable, key);
      if (flaggedForEncryption(key, primaryId)) {
        flagged = newer(flagged, key);
      }
    }
    if (flagged != null) {
      return flagged;
    }
    if (capable == null) {
      throw problem("has no key that can encrypt");
    }
    return capable;
  }

  private static PGPPublicKey newer(PGPPublicKey chosen, PGPPublicKey key) {
    return chosen == null || !key.getCreationTime().before(chosen.getCreationTime()) ? key : chosen;
  }

  private static boolean expired(PGPPublicKey key, long now) {
    long valid = key.getValidSeconds();
    return valid > 0 && key.getCreationTime().getTime() + valid * 1000 <= now;
  }

  /** Key flags of the newest self-signature that has any allow encryption. */
  private static boolean flaggedForEncryption(PGPPublicKey key, long primaryId) {
    PGPSignature newest = null;
    for (Iterator<PGPSignature> sigs = key.getSignatures(); sigs.hasNext(); ) {
      PGPSignature sig = sigs.next();
      PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
      boolean selfSigned = sig.getKeyID() == primaryId;
      if (selfSigned && hashed != null && hashed.getKeyFlags() != 0
          && (newest == null || sig.getCreationTime().after(newest.getCreationTime()))) {
        newest = sig;
      }
    }
    return newest != null && (newest.getHashedSubPackets().getKeyFlags()
        & (KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE)) != 0;
  }

  private static IllegalArgumentException problem(String message) {
    return new IllegalArgumentException(message);
  }
}
