package dev.postern.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final ManualClock clock = new ManualClock();

  @Test
  void returnsWhatWasPutUntilTheTtlRunsOut() {
    BoundedCache<String, String> cache = new BoundedCache<>(10, 1_000, clock);
    cache.put("a", "1");
    clock.advance(Duration.ofMillis(999));
    assertThat(cache.get("a")).isEqualTo("1");
    clock.advance(Duration.ofMillis(1));
    assertThat(cache.get("a")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aNewPutRestartsTheTtl() {
    BoundedCache<String, String> cache = new BoundedCache<>(10, 1_000, clock);
    cache.put("a", "1");
    clock.advance(Duration.ofMillis(600));
    cache.put("a", "2");
    clock.advance(Duration.ofMillis(600));
    assertThat(cache.get("a")).isEqualTo("2");
  }

  @Test
  void evictsTheLeastRecentlyUsedEntryBeyondTheSizeBound() {
    BoundedCache<String, String> cache = new BoundedCache<>(2, 60_000, clock);
    cache.put("a", "1");
    cache.put("b", "2");
    cache.get("a");
    cache.put("c", "3");
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get("b")).isNull();
    assertThat(cache.get("a")).isEqualTo("1");
    assertThat(cache.get("c")).isEqualTo("3");
  }

  @Test
  void removeAndClearDropEntries() {
    BoundedCache<String, String> cache = new BoundedCache<>(10, 60_000, clock);
    cache.put("a", "1");
    cache.put("b", "2");
    cache.remove("a");
    assertThat(cache.get("a")).isNull();
    assertThat(cache.get("b")).isEqualTo("2");
    cache.clear();
    assertThat(cache.size()).isZero();
  }

  @Test
  void removeOfAValueOnlyRemovesThatVeryValue() {
    BoundedCache<String, String> cache = new BoundedCache<>(10, 60_000, clock);
    String first = new String("v");
    String second = new String("v");
    cache.put("a", second);
    assertThat(cache.remove("a", first)).isFalse();
    assertThat(cache.get("a")).isSameAs(second);
    assertThat(cache.remove("a", second)).isTrue();
    assertThat(cache.get("a")).isNull();
  }

  @Test
  void getOrPutCreatesOnceAndSharesTheValueUntilItExpires() {
    BoundedCache<String, Object> cache = new BoundedCache<>(10, 1_000, clock);
    AtomicInteger created = new AtomicInteger();
    Object first = cache.getOrPut("a", key -> created.incrementAndGet());
    assertThat(cache.getOrPut("a", key -> created.incrementAndGet())).isSameAs(first);
    assertThat(created).hasValue(1);
    clock.advance(Duration.ofMillis(1_000));
    assertThat(cache.getOrPut("a", key -> created.incrementAndGet())).isEqualTo(2);
  }

  @Test
  void concurrentGetOrPutCallersShareOneValue() throws Exception {
    BoundedCache<String, Object> cache = new BoundedCache<>(10, 60_000, clock);
    AtomicInteger created = new AtomicInteger();
    Thread[] threads = new Thread[8];
    Object[] seen = new Object[threads.length];
    for (int i = 0; i < threads.length; i++) {
      int slot = i;
      threads[i] = new Thread(() -> seen[slot] = cache.getOrPut("k", key -> {
        created.incrementAndGet();
        return new Object();
      }));
      threads[i].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(created).hasValue(1);
    assertThat(seen).allSatisfy(value -> assertThat(value).isSameAs(seen[0]));
  }

  @Test
  void withoutExpiryKeepsEntriesUntilEvicted() {
    BoundedCache<String, String> cache = BoundedCache.withoutExpiry(1);
    cache.put("a", "1");
    assertThat(cache.get("a")).isEqualTo("1");
    cache.put("b", "2");
    assertThat(cache.get("a")).isNull();
    assertThat(cache.get("b")).isEqualTo("2");
  }

  @Test
  void aWeightedCacheEvictsTheLeastRecentlyUsedUntilItsWeightFits() {
    BoundedCache<String, String> cache = BoundedCache.weighted(100, 10, String::length);
    cache.put("a", "aaaa");
    cache.put("b", "bbbb");
    assertThat(cache.get("a")).isEqualTo("aaaa"); // b is now the least recently used
    cache.put("c", "cccc");
    assertThat(cache.get("b")).isNull();
    assertThat(cache.get("a")).isEqualTo("aaaa");
    assertThat(cache.get("c")).isEqualTo("cccc");
    assertThat(cache.weight()).isEqualTo(8);
    cache.put("a", "a"); // a replaced value's weight is given back
    assertThat(cache.weight()).isEqualTo(5);
    cache.remove("c");
    assertThat(cache.weight()).isEqualTo(1);
  }

  @Test
  void aValueHeavierThanTheWholeBoundIsNotKept() {
    BoundedCache<String, String> cache = BoundedCache.weighted(100, 10, String::length);
    cache.put("small", "ss");
    cache.put("huge", "x".repeat(11));
    assertThat(cache.get("huge")).isNull();
    assertThat(cache.weight()).isLessThanOrEqualTo(10);
  }

  @Test
  void aWeightedCacheStillBoundsItsCountAndCountsEvictedWeight() {
    BoundedCache<Integer, String> cache = BoundedCache.weighted(2, 1_000, String::length);
    cache.put(1, "one");
    cache.put(2, "two");
    cache.put(3, "three");
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get(1)).isNull();
    assertThat(cache.weight()).isEqualTo(8);
    cache.clear();
    assertThat(cache.weight()).isZero();
  }
}
