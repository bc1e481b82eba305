package dev.postern.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget (connections, or body bytes) in total and per client address, shared by every HTTP
 * verticle instance of the process: one client cannot take what everyone else needs (issue #15
 * item 1).
 */
final class AddressSlots {

  private final long total;
  private final long perAddress;
  private final AtomicLong taken = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> byAddress = new ConcurrentHashMap<>();

  AddressSlots(long total, long perAddress) {
    this.total = total;
    this.perAddress = perAddress;
  }

  /** Whether {@code address} got {@code amount}; each true must be followed by one {@link #release}. */
  boolean tryTake(String address, long amount) {
    if (taken.addAndGet(amount) > total) {
      taken.addAndGet(-amount);
      return false;
    }
    long[] fromAddress = new long[1];
    // compute() adds under the map's lock: a concurrent release cannot drop the counter between
    // the lookup and the addition.
    byAddress.compute(address, (a, count) -> {
      AtomicLong c = count == null ? new AtomicLong() : count;
      fromAddress[0] = c.addAndGet(amount);
      return c;
    });
    if (fromAddress[0] > perAddress) {
      release(address, amount);
      return false;
    }
    return true;
  }

  void release(String address, long amount) {
    taken.addAndGet(-amount);
    byAddress.computeIfPresent(address, (a, count) -> count.addAndGet(-amount) <= 0 ? null : count);
  }

  long taken() {
    return taken.get();
  }
}
