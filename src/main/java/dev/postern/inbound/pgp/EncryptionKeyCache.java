package dev.postern.inbound.pgp;

import dev.postern.mailboxes.PgpPublicKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.openpgp.PGPPublicKey;

/**
 * The encryption key of each armoured public key block, parsed once and kept by its armoured text
 * (least recently used first out). Parsing is base64 plus packet decoding (tens to hundreds of
 * microseconds per key, see {@code OpenPgpStreamEncryptorCostTest}); mailboxes receive many
 * messages with the same key, so the parse happens once per key per node, not once per message.
 * Thread-safe: {@code to(...)} may run on event loops and workers alike.
 */
final class EncryptionKeyCache {

  private final Map<String, PGPPublicKey> keys;

  EncryptionKeyCache(int capacity) {
    this.keys = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, PGPPublicKey> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The key to encrypt to; {@link IllegalArgumentException} (message "the key ...") if none. */
  PGPPublicKey encryptionKey(String armoured) {
    synchronized (keys) {
      PGPPublicKey cached = keys.get(armoured);
      if (cached != null) {
        return cached;
      }
    }
    // Parsed outside the lock: two threads may parse the same key once each, which is harmless.
    PGPPublicKey key;
    try {
      key = PgpPublicKeys.encryptionKey(PgpPublicKeys.parse(armoured));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the key is not a valid OpenPGP public key", e);
    }
    synchronized (keys) {
      keys.put(armoured, key);
    }
    return key;
  }

  /** How many keys are held (for tests). */
  int size() {
    synchronized (keys) {
      return keys.size();
    }
  }
}
