package dev.postern.auth;

import dev.postern.cache.BoundedCache;
import dev.postern.keys.ApiKeySecret;
import dev.postern.keys.KeyFormat;
import dev.postern.keys.KeyParse;
import dev.postern.keys.KeyVault;
import dev.postern.keys.Scopes;
import dev.postern.keys.StoredKey;
import dev.postern.keys.VaultException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * Verifies API keys (SPEC §2): checksum → lookup prefix in a bounded cache (database on a miss)
 * → decrypt and constant-time compare on a worker → revoked? expired?
 *
 * <p>After the first successful decryption the cache entry keeps a SHA-256 digest of the key, so
 * later requests compare digests in constant time without decrypting again; the plaintext itself
 * is never cached. Unknown prefixes go to a separate small negative cache so a flood of made-up
 * keys can neither evict real entries nor reach the database more than once per prefix per
 * interval; lookups are admitted by {@link PrefixLookups} (one query per prefix, a separate
 * smaller budget for prefixes never seen to exist, results older than the prefix's latest
 * invalidation never cached). An entry past three quarters of its time to live is still served
 * while it is refreshed in the background, so a busy key never waits for (or competes for) a
 * lookup slot when its entry would have expired (issue #15 items 2 and 3).
 */
public final class KeyAuthenticator implements AuthenticationProvider {

  /** A cached key row and, once verified, the digest of its plaintext. */
  private static final class CachedKey {
    final StoredKey key;
    /** Built once per cache entry: the hot path allocates nothing per request for it. */
    final AuthenticatedKey authenticated;
    final long loadedAtMillis;
    volatile byte[] digest;

    CachedKey(StoredKey key, long loadedAtMillis) {
      this.key = key;
      this.authenticated = AuthenticatedKey.of(key);
      this.loadedAtMillis = loadedAtMillis;
    }

    /** The refreshed row, keeping the verified digest while the sealed value is the same. */
    CachedKey refreshedWith(StoredKey row, long now) {
      CachedKey fresh = new CachedKey(row, now);
      if (row.id().equals(key.id()) && Arrays.equals(row.sealed().ciphertext(), key.sealed().ciphertext())) {
        fresh.digest = digest;
      }
      return fresh;
    }
  }

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /**
   * @param maxLookupsInFlight database lookups at once for prefixes known to exist
   * @param maxUnknownLookupsInFlight the same for every other prefix (made-up keys)
   */
  public record Settings(int cacheSize, long cacheTtlMillis, int negativeCacheSize,
      long negativeTtlMillis, int maxLookupsInFlight, int maxUnknownLookupsInFlight) {
    public static Settings of(int cacheSize, long cacheTtlMillis) {
      return new Settings(cacheSize, cacheTtlMillis, 10_000, 5_000, 64, 16);
    }
  }

  private final KeyFormat format;
  private final KeyRows keys;
  private final KeyVault vault;
  private final WorkerExecutor cpu;
  private final Clock clock;
  private final Settings settings;
  private final BoundedCache<String, CachedKey> cache;
  private final BoundedCache<String, Boolean> unknown;
  private final PrefixLookups lookups;
  /** Key id → lookup prefix, for {@link #byId}; a key's prefix never changes, so this never goes stale. */
  private final BoundedCache<UUID, String> prefixesById;

  public KeyAuthenticator(KeyFormat format, KeyRows keys, KeyVault vault, WorkerExecutor cpu,
      Clock clock, Settings settings) {
    this.format = format;
    this.keys = keys;
    this.vault = vault;
    this.cpu = cpu;
    this.clock = clock;
    this.settings = settings;
    this.cache = new BoundedCache<>(settings.cacheSize(), settings.cacheTtlMillis(), clock);
    this.unknown = new BoundedCache<>(settings.negativeCacheSize(), settings.negativeTtlMillis(), clock);
    this.prefixesById = BoundedCache.withoutExpiry(settings.cacheSize());
    this.lookups = new PrefixLookups(keys::findByLookupPrefix, settings.maxLookupsInFlight(),
        settings.maxUnknownLookupsInFlight(), settings.cacheSize());
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token)) {
      return Future.failedFuture(new UnauthorizedException());
    }
    return verify(token.getToken()).map(KeyAuthenticator::toUser);
  }

  /** The key behind a presented value, or a failed future with {@link UnauthorizedException}. */
  public Future<AuthenticatedKey> verify(String presented) {
    if (presented == null) {
      return Future.failedFuture(new UnauthorizedException());
    }
    KeyParse parsed = format.parse(presented);
    if (!(parsed instanceof KeyParse.Valid valid)) {
      return Future.failedFuture(new UnauthorizedException());
    }
    ApiKeySecret secret = valid.secret();
    String prefix = secret.lookupPrefix();
    CachedKey cached = cache.get(prefix);
    if (cached != null && clock.millis() - cached.loadedAtMillis >= settings.cacheTtlMillis() * 3 / 4) {
      refresh(prefix, cached);
    }
    Future<CachedKey> entry = cached != null ? Future.succeededFuture(cached) : load(prefix);
    return entry.compose(found -> check(found, secret));
  }

  /**
   * The key with this id, for callers that authenticate by something other than the secret (the
   * SMTP LAN shim maps source networks to a key id): the same revocation and expiry checks as
   * {@link #verify}, or a failed future with {@link UnauthorizedException}; a database failure
   * when it is unreachable. The row is cached in the same prefix-keyed cache as {@link #verify}'s,
   * so {@link #invalidate} (a revoke or rotate on any node) reaches it too.
   */
  public Future<AuthenticatedKey> byId(UUID keyId) {
    if (keyId == null) {
      return Future.failedFuture(new UnauthorizedException());
    }
    String prefix = prefixesById.get(keyId);
    CachedKey cached = prefix == null ? null : cache.get(prefix);
    long startedAt = lookups.generation();
    Future<CachedKey> entry = cached != null ? Future.succeededFuture(cached)
        : keys.find(keyId).map(row -> {
          if (row.isEmpty()) {
            throw new UnauthorizedException();
          }
          String rowPrefix = row.get().lookupPrefix();
          CachedKey fresh = new CachedKey(row.get(), clock.millis());
          prefixesById.put(keyId, rowPrefix);
          if (lookups.isCurrent(rowPrefix, startedAt)) {
            cache.put(rowPrefix, fresh);
          }
          return fresh;
        });
    return entry.compose(found -> found.key.usableAt(clock.instant())
        ? Future.succeededFuture(found.authenticated)
        : Future.failedFuture(new UnauthorizedException()));
  }

  /** Drops what is cached for a lookup prefix (a NOTIFY from any node changed that key). */
  public void invalidate(String lookupPrefix) {
    lookups.invalidate(lookupPrefix);
    cache.remove(lookupPrefix);
    unknown.remove(lookupPrefix);
  }

  /** Drops everything (after the change listener reconnects, notifications may have been missed). */
  public void invalidateAll() {
    lookups.invalidateAll();
    cache.clear();
    unknown.clear();
  }

  private Future<CachedKey> load(String prefix) {
    if (unknown.get(prefix) != null) {
      return Future.failedFuture(new UnauthorizedException());
    }
    return lookups.lookup(prefix).compose(result -> {
      if (result.row().isEmpty()) {
        if (result.current()) {
          unknown.put(prefix, Boolean.TRUE);
        }
        return Future.failedFuture(new UnauthorizedException());
      }
      CachedKey fresh = new CachedKey(result.row().get(), clock.millis());
      // A lookup that raced an invalidation answers the request that started it (both were in
      // flight together) but is never cached: the next request reads the row again.
      if (result.current()) {
        cache.put(prefix, fresh);
      }
      return Future.succeededFuture(fresh);
    });
  }

  /** Reloads a cached entry in the background; it stays served until then (or until expiry). */
  private void refresh(String prefix, CachedKey cached) {
    lookups.lookup(prefix).onSuccess(result -> {
      if (!result.current()) {
        return;
      }
      if (result.row().isEmpty()) {
        cache.remove(prefix, cached);
        return;
      }
      CachedKey now = cache.get(prefix);
      if (now == cached) {
        cache.put(prefix, cached.refreshedWith(result.row().get(), clock.millis()));
      }
    });
  }

  private Future<AuthenticatedKey> check(CachedKey entry, ApiKeySecret secret) {
    byte[] presentedDigest = sha256(secret.plaintextBytes());
    Future<Boolean> matches;
    byte[] known = entry.digest;
    if (known != null) {
      matches = Future.succeededFuture(MessageDigest.isEqual(presentedDigest, known));
    } else {
      StoredKey key = entry.key;
      matches = cpu.executeBlocking(() -> {
        try {
          byte[] stored = vault.open(key.sealed(), key.id(), KeyVault.API_KEY_INFO);
          return KeyVault.matches(secret.plaintextBytes(), stored);
        } catch (VaultException e) {
          return false;
        }
      }, false).onSuccess(ok -> {
        if (ok) {
          entry.digest = presentedDigest;
        }
      });
    }
    return matches.compose(ok -> ok && entry.key.usableAt(clock.instant())
        ? Future.succeededFuture(entry.authenticated)
        : Future.failedFuture(new UnauthorizedException()));
  }

  private static User toUser(AuthenticatedKey key) {
    User user = User.create(new JsonObject().put("sub", key.id().toString()).put("mode", key.mode().wire()));
    return Scopes.attach(user, key.scopes());
  }

  private static byte[] sha256(byte[] bytes) {
    return SHA256.get().digest(bytes);
  }
}
