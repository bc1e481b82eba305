package dev.postern.auth;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A size-bounded, time-bounded cache (least recently used evicted first). Called from several
 * event loops; each operation holds the lock for a map operation only.
 */
final class BoundedCache<K, V> {

  private record Entry<V>(V value, long expiresAtMillis) {}

  private final int maxSize;
  private final long ttlMillis;
  private final Clock clock;
  private final LinkedHashMap<K, Entry<V>> map;

  BoundedCache(int maxSize, long ttlMillis, Clock clock) {
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

  synchronized V get(K key) {
    Entry<V> entry = map.get(key);
    if (entry == null) {
      return null;
    }
    if (entry.expiresAtMillis() <= clock.millis()) {
      map.remove(key);
      return null;
    }
    return entry.value();
  }

  synchronized void put(K key, V value) {
    map.put(key, new Entry<>(value, clock.millis() + ttlMillis));
  }

  synchronized void remove(K key) {
    map.remove(key);
  }

  synchronized void clear() {
    map.clear();
  }

  synchronized int size() {
    return map.size();
  }
}
