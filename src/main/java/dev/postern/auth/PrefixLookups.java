package dev.postern.auth;

import dev.postern.cache.BoundedCache;
import dev.postern.cache.SharedFutures;
import dev.postern.keys.StoredKey;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Database lookups of key rows by lookup prefix (issue #15 items 2 and 3):
 *
 * <ul>
 *   <li>concurrent lookups of one prefix share one query;
 *   <li>two budgets of lookups in flight: prefixes that once found a row ("known") and all others,
 *       so a flood of made-up keys with valid checksums and fresh prefixes fills only the smaller
 *       unknown budget and real keys keep theirs;
 *   <li>generations: every invalidation of a prefix gets a number from one counter, every lookup
 *       the counter's value when it started; a result whose lookup started before the prefix's
 *       latest invalidation is {@link Result#current() not current} and must not be cached (it
 *       may be the row as it was before a revoke committed).
 * </ul>
 */
final class PrefixLookups {

  /** A lookup's row and whether it may be cached. */
  record Result(Optional<StoredKey> row, boolean current) {}

  private record Flight(Future<Optional<StoredKey>> query, long startedAt) {}

  /** Beyond this many remembered invalidations, all are forgotten behind a floor (safe side). */
  private static final int MAX_REMEMBERED = 10_000;

  private final Function<String, Future<Optional<StoredKey>>> source;
  private final int knownBudget;
  private final int unknownBudget;
  private final AtomicInteger knownInFlight = new AtomicInteger();
  private final AtomicInteger unknownInFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, Flight> inFlight = new ConcurrentHashMap<>();
  private final BoundedCache<String, Boolean> known;
  private final AtomicLong generation = new AtomicLong();
  private final ConcurrentHashMap<String, Long> invalidatedAt = new ConcurrentHashMap<>();
  /** Lookups started before this are never current (after invalidateAll or forgetting). */
  private volatile long floor;

  PrefixLookups(Function<String, Future<Optional<StoredKey>>> source, int knownBudget,
      int unknownBudget, int knownPrefixes) {
    this.source = source;
    this.knownBudget = knownBudget;
    this.unknownBudget = unknownBudget;
    this.known = BoundedCache.withoutExpiry(knownPrefixes);
  }

  /**
   * Looks {@code prefix} up, sharing a query already in flight for it (unless an invalidation
   * came since it started). Fails with {@link Reason#UNAVAILABLE} when the prefix's budget is
   * spent.
   */
  Future<Result> lookup(String prefix) {
    Flight flight = inFlight.get(prefix);
    if (flight == null) {
      boolean isKnown = known.get(prefix) != null;
      AtomicInteger counter = isKnown ? knownInFlight : unknownInFlight;
      if (counter.incrementAndGet() > (isKnown ? knownBudget : unknownBudget)) {
        counter.decrementAndGet();
        return Future.failedFuture(Refusal.of(Reason.UNAVAILABLE,
            "too many key lookups in progress; try again shortly"));
      }
      long startedAt = generation.get();
      Flight[] started = new Flight[1];
      started[0] = new Flight(source.apply(prefix).onComplete(r -> {
        counter.decrementAndGet();
        inFlight.remove(prefix, started[0]);
      }), startedAt);
      Flight raced = inFlight.putIfAbsent(prefix, started[0]);
      flight = raced == null ? started[0] : raced;
    }
    long startedAt = flight.startedAt();
    // A flight another event loop started completes there: go on on the caller's own.
    return SharedFutures.onCallersContext(flight.query()).map(row -> {
      row.ifPresent(r -> known.put(prefix, Boolean.TRUE));
      return new Result(row, isCurrent(prefix, startedAt));
    });
  }

  /** The generation to pass to {@link #isCurrent} for a lookup that starts now. */
  long generation() {
    return generation.get();
  }

  /** Whether a lookup of {@code prefix} that started at {@code startedAt} saw its latest state. */
  boolean isCurrent(String prefix, long startedAt) {
    return startedAt >= floor && invalidatedAt.getOrDefault(prefix, Long.MIN_VALUE) <= startedAt;
  }

  /** The prefix's row changed: lookups in flight for it are no longer current. */
  void invalidate(String prefix) {
    long at = generation.incrementAndGet();
    invalidatedAt.put(prefix, at);
    inFlight.remove(prefix);
    if (invalidatedAt.size() > MAX_REMEMBERED) {
      floor = at;
      invalidatedAt.clear();
    }
  }

  void invalidateAll() {
    floor = generation.incrementAndGet();
    invalidatedAt.clear();
    inFlight.clear();
  }

  int inFlight() {
    return knownInFlight.get() + unknownInFlight.get();
  }
}
