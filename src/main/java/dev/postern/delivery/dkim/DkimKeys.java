package dev.postern.delivery.dkim;

import dev.postern.cache.BoundedCache;
import dev.postern.cache.SharedFutures;
import dev.postern.keys.KeyVault;
import dev.postern.keys.Sealed;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Signing keys by domain name, from the {@code domains} table. The PKCS#8 private key is sealed
 * with {@link KeyVault} (row id = domain id, info {@link KeyVault#DKIM_KEY_INFO}); it is opened
 * on the CPU worker and the parsed key is kept in a bounded, time-limited cache. Concurrent
 * lookups of one domain share a single load; each caller continues on its own context. A domain that does not exist is not cached, so a
 * domain added later is found at once; a rotated key is picked up after the TTL or at once after
 * {@link #invalidate(String)}.
 *
 * <p>Thread-safe; callable from any event loop.
 */
public final class DkimKeys {

  private static final String SELECT = """
      SELECT id, dkim_selector, dkim_algorithm, dkim_private_sealed, dkim_private_salt,
             master_version
        FROM domains WHERE name = $1""";

  private final Pool pool;
  private final KeyVault vault;
  private final WorkerExecutor cpu;
  private final BoundedCache<String, Future<Optional<DkimKey>>> cache;

  public DkimKeys(Pool pool, KeyVault vault, WorkerExecutor cpu, Clock clock, int maxSize,
      long ttlMillis) {
    this.pool = pool;
    this.vault = vault;
    this.cpu = cpu;
    this.cache = new BoundedCache<>(maxSize, ttlMillis, clock);
  }

  /** The key to sign mail from {@code domain} with, or empty if Postern does not host it. */
  public Future<Optional<DkimKey>> forDomain(String domain) {
    String name = domain.toLowerCase(Locale.ROOT);
    Future<Optional<DkimKey>> loading = cache.getOrPut(name, this::load);
    loading.onComplete(result -> {
      if (result.failed() || result.result().isEmpty()) {
        cache.remove(name, loading);
      }
    });
    // The load belongs to whichever delivery worker started it: the others go on on their own.
    return SharedFutures.onCallersContext(loading);
  }

  /** Drops a domain's cached key (e.g. after the admin API rotated it on this node). */
  public void invalidate(String domain) {
    cache.remove(domain.toLowerCase(Locale.ROOT));
  }

  private Future<Optional<DkimKey>> load(String name) {
    return pool.preparedQuery(SELECT).execute(Tuple.of(name))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.empty());
          }
          Row row = rows.iterator().next();
          return cpu.executeBlocking(() -> Optional.of(open(name, row)), false);
        });
  }

  /** Runs on the CPU worker: HKDF + AES-GCM, then PKCS#8 parsing. */
  private DkimKey open(String name, Row row) {
    UUID id = row.getUUID("id");
    DkimAlgorithm algorithm = DkimAlgorithm.fromTag(row.getString("dkim_algorithm"));
    Sealed sealed = new Sealed(row.getBuffer("dkim_private_salt").getBytes(),
        row.getBuffer("dkim_private_sealed").getBytes(), row.getInteger("master_version"));
    byte[] pkcs8 = vault.open(sealed, id, KeyVault.DKIM_KEY_INFO);
    try {
      PrivateKey key = SigningProviders.keyFactory(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      return new DkimKey(name, row.getString("dkim_selector"), algorithm, key);
    } catch (GeneralSecurityException e) {
      throw new DkimException("domain " + name + ": stored DKIM key is not a valid "
          + algorithm.jcaKeyAlgorithm() + " PKCS#8 key");
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }
}
