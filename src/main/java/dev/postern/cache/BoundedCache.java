package dev.postern.cache;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Iterator;
import java.util.function.Function;
import java.util.function.ToLongFunction;

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
  private final long maxWeight;
  private final ToLongFunction<? super V> weigher;
  private final LinkedHashMap<K, Entry<V>> map;
  private long weight;

  /** Entries live {@code ttlMillis} after they were put; at most {@code maxSize} are kept. */
  public BoundedCache(int maxSize, long ttlMillis, Clock clock) {
    this(maxSize, ttlMillis, clock, Long.MAX_VALUE, value -> 0);
  }

  private BoundedCache(int maxSize, long ttlMillis, Clock clock, long maxWeight,
      ToLongFunction<? super V> weigher) {
    this.maxSize = maxSize;
    this.ttlMillis = ttlMillis;
    this.clock = clock;
    this.maxWeight = maxWeight;
    this.weigher = weigher;
    this.map = new LinkedHashMap<>(Math.min(maxSize, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        if (size() > BoundedCache.this.maxSize) {
          weight -= weigher.applyAsLong(eldest.getValue().value());
          return true;
        }
        return false;
      }
    };
  }

  /**
   * A cache bounded by the total weight of its values ({@code weigher}, e.g. their bytes) as
   * well as by count, never by age: the least recently used leave until both bounds hold. A
   * value heavier than {@code maxWeight} on its own is not kept at all.
   */
  public static <K, V> BoundedCache<K, V> weighted(int maxSize, long maxWeight,
      ToLongFunction<? super V> weigher) {
    return new BoundedCache<>(maxSize, Long.MAX_VALUE, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC),
        maxWeight, weigher);
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
      remove(key);
      return null;
    }
    return entry.value();
  }

  public synchronized void put(K key, V value) {
    Entry<V> old = map.put(key, new Entry<>(value, expiry()));
    if (old != null) {
      weight -= weigher.applyAsLong(old.value());
    }
    weight += weigher.applyAsLong(value);
    Iterator<Entry<V>> eldest = map.values().iterator();
    while (weight > maxWeight && eldest.hasNext()) {
      weight -= weigher.applyAsLong(eldest.next().value());
      eldest.remove();
    }
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
    Entry<V> old = map.remove(key);
    if (old != null) {
      weight -= weigher.applyAsLong(old.value());
    }
  }

  /** Removes {@code key} only while it still maps to this very value (identity, not equals). */
  public synchronized boolean remove(K key, V expected) {
    Entry<V> entry = map.get(key);
    if (entry != null && entry.value() == expected) {
      remove(key);
      return true;
    }
    return false;
  }

  public synchronized void clear() {
    map.clear();
    weight = 0;
  }

  public synchronized int size() {
    return map.size();
  }

  /** The total weight of the values held (0 for a cache made without a weigher). */
  public synchronized long weight() {
    return weight;
  }

  private boolean expired(Entry<V> entry) {
    return entry.expiresAtMillis() <= clock.millis();
  }

  private long expiry() {
    long now = clock.millis();
    return ttlMillis >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMillis;
  }
}
