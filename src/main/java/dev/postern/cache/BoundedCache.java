package dev.postern.cache;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A size-bounded, time-bounded cache (least recently used evicted first): the one in-process
 * cache behind API-key lookups, DKIM signing keys and webhook signers. Called from several event
 * loops; each operation holds the lock for a map operation (or, in {@link #getOrPut}, for the
 * non-blocking call that creates the value) only.
 *
 * <p>For single-flight loading, cache the {@code Future} of the load with {@link #getOrPut} and
 * drop a failed one with {@link #remove(Object, Object)}.
 */
public final class BoundedCache<K, V> {

  private record Entry<V>(V value, long expiresAtMillis) {}

  private final int maxSize;
  private final long ttlMillis;
  private final Clock clock;
  private final LinkedHashMap<K, Entry<V>> map;

  /** Entries live {@code ttlMillis} after they were put; at most {@code maxSize} are kept. */
  public BoundedCache(int maxSize, long ttlMillis, Clock clock) {
    this.maxSize = maxSize;
    this.ttlMillis = ttlMillis;
    this.clock = clock;
    this.map = new LinkedHashMap<>(Math.min(maxSize, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > BoundedCache.this.maxSize;
      }
    };
  }

  /**
   * A cache bounded by size only: entries leave when evicted or removed, never by age. It reads
   * no clock (a fixed one stands in: age never matters).
   */
  public static <K, V> BoundedCache<K, V> withoutExpiry(int maxSize) {
    return new BoundedCache<>(maxSize, Long.MAX_VALUE, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
  }

  /** The live value for {@code key}, or null. */
  public synchronized V get(K key) {
    Entry<V> entry = map.get(key);
    if (entry == null) {
      return null;
    }
    if (expired(entry)) {
      map.remove(key);
      return null;
    }
    return entry.value();
  }

  public synchronized void put(K key, V value) {
    map.put(key, new Entry<>(value, expiry()));
  }

  /**
   * The live value for {@code key}; when there is none, {@code create}'s value, which is put and
   * returned. {@code create} runs under the lock, so it must not block (start a load and return
   * its future); concurrent callers for one key then share that one value.
   */
  public synchronized V getOrPut(K key, Function<? super K, ? extends V> create) {
    V live = get(key);
    if (live != null) {
      return live;
    }
    V created = create.apply(key);
    put(key, created);
    return created;
  }

  public synchronized void remove(K key) {
    map.remove(key);
  }

  /** Removes {@code key} only while it still maps to this very value (identity, not equals). */
  public synchronized boolean remove(K key, V expected) {
    Entry<V> entry = map.get(key);
    if (entry != null && entry.value() == expected) {
      map.remove(key);
      return true;
    }
    return false;
  }

  public synchronized void clear() {
    map.clear();
  }

  public synchronized int size() {
    return map.size();
  }

  private boolean expired(Entry<V> entry) {
    return entry.expiresAtMillis() <= clock.millis();
  }

  private long expiry() {
    long now = clock.millis();
    return ttlMillis >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMillis;
  }
}
