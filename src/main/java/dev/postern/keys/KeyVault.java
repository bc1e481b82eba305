package dev.postern.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Encryption at rest for API keys and other row secrets (SPEC §2 "Key format and storage").
 *
 * <p>Per sealed value: a random 16-byte salt; data key = HKDF-SHA256(ikm = current master
 * secret, salt, info, 32 bytes); AES-256-GCM with a random 12-byte nonce and the row id (16
 * bytes, big-endian) as associated data, so a ciphertext copied into another row does not open.
 * The info label separates uses: the same masters seal API keys, DKIM private keys and webhook
 * secrets under different derived keys. One leaked row key reveals nothing about another row.
 *
 * <p>Thread-safe and immutable. CPU-bound (HKDF + AES): per SPEC §1 callers run it on a worker
 * thread, not an event loop. It never logs.
 */
public final class KeyVault {

  /** HKDF info for API key plaintexts. */
  public static final String API_KEY_INFO = "postern/api-key/v1";
  /** HKDF info for domain DKIM private keys. */
  public static final String DKIM_KEY_INFO = "postern/dkim-key/v1";
  /** HKDF info for webhook signing secrets. */
  public static final String WEBHOOK_SECRET_INFO = "postern/webhook-secret/v1";

  static final int SALT_BYTES = 16;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  private static final int DATA_KEY_BYTES = 32;

  private final MasterSecrets masters;
  private final SecureRandom random;

  public KeyVault(MasterSecrets masters) {
    this(masters, new SecureRandom());
  }

  public KeyVault(MasterSecrets masters, SecureRandom random) {
    this.masters = Objects.requireNonNull(masters, "masters");
    this.random = Objects.requireNonNull(random, "random");
  }

  public MasterSecrets masters() {
    return masters;
  }

  /** Seals under the current master version with a fresh salt and nonce. */
  public Sealed seal(byte[] plaintext, UUID rowId, String info) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(rowId, "rowId");
    requireInfo(info);
    byte[] salt = randomBytes(SALT_BYTES);
    byte[] nonce = randomBytes(NONCE_BYTES);
    int version = masters.currentVersion();
    byte[] dataKey = deriveKey(version, salt, info);
    try {
      Cipher cipher = gcm(Cipher.ENCRYPT_MODE, dataKey, nonce, rowId);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + plaintext.length + TAG_BYTES);
      cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
      return new Sealed(salt, out, version);
    } catch (GeneralSecurityException impossible) {
      // AES-GCM is mandatory in every JDK; reaching this means a broken runtime.
      throw new IllegalStateException("AES-GCM unavailable: " + impossible.getClass().getName());
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Opens a value sealed for this row and info under any configured master version.
   *
   * @throws VaultException on unknown version, wrong row id or info, tampering, wrong master
   */
  public byte[] open(Sealed sealed, UUID rowId, String info) {
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(rowId, "rowId");
    requireInfo(info);
    byte[] salt = sealed.salt();
    byte[] ciphertext = sealed.ciphertext();
    if (salt.length != SALT_BYTES || ciphertext.length < NONCE_BYTES + TAG_BYTES) {
      throw new VaultException(VaultException.Reason.MALFORMED,
          "sealed value has an impossible size");
    }
    if (!masters.has(sealed.masterVersion())) {
      throw new VaultException(VaultException.Reason.UNKNOWN_MASTER_VERSION,
          "sealed under master version v" + sealed.masterVersion() + ", which is not configured");
    }
    byte[] dataKey = deriveKey(sealed.masterVersion(), salt, info);
    try {
      Cipher cipher = gcm(Cipher.DECRYPT_MODE, dataKey,
          Arrays.copyOf(ciphertext, NONCE_BYTES), rowId);
      return cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
    } catch (AEADBadTagException badTag) {
      throw new VaultException(VaultException.Reason.AUTHENTICATION_FAILED,
          "sealed value failed authentication (wrong row, info or master, or tampered)");
    } catch (GeneralSecurityException impossible) {
      throw new IllegalStateException("AES-GCM unavailable: " + impossible.getClass().getName());
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Opens under whatever version sealed it and seals again under the current version, with a
   * fresh salt and nonce (for "re-encrypt every key under a new master"). Rows already on the
   * current version are resealed too, which is harmless.
   *
   * @throws VaultException if the old value does not open
   */
  public Sealed reseal(Sealed sealed, UUID rowId, String info) {
    byte[] plaintext = open(sealed, rowId, info);
    try {
      return seal(plaintext, rowId, info);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Constant-time equality of a presented secret and a stored (opened) one. */
  public static boolean matches(byte[] presented, byte[] stored) {
    if (presented == null || stored == null) {
      return false;
    }
    return MessageDigest.isEqual(presented, stored);
  }

  private byte[] deriveKey(int version, byte[] salt, String info) {
    byte[] master = masters.secret(version).orElseThrow(() -> new VaultException(
        VaultException.Reason.UNKNOWN_MASTER_VERSION, "master version v" + version
            + " is not configured"));
    try {
      HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
      hkdf.init(new HKDFParameters(master, salt, info.getBytes(StandardCharsets.UTF_8)));
      byte[] key = new byte[DATA_KEY_BYTES];
      hkdf.generateBytes(key, 0, key.length);
      return key;
    } finally {
      Arrays.fill(master, (byte) 0);
    }
  }

  private static Cipher gcm(int mode, byte[] dataKey, byte[] nonce, UUID rowId)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(dataKey, "AES"),
        new GCMParameterSpec(TAG_BYTES * 8, nonce));
    cipher.updateAAD(uuidBytes(rowId));
    return cipher;
  }

  static byte[] uuidBytes(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static void requireInfo(String info) {
    if (info == null || info.isBlank()) {
      throw new IllegalArgumentException("HKDF info label must not be blank");
    }
  }

  @Override
  public String toString() {
    return "KeyVault[" + masters + "]";
  }
}
