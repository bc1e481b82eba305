package dev.postern.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counted slots, in total and per client address, shared by every HTTP verticle instance of the
 * process: one client cannot take the slots everyone else needs (issue #15 item 1).
 */
final class AddressSlots {

  private final int total;
  private final int perAddress;
  private final AtomicInteger taken = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();

  AddressSlots(int total, int perAddress) {
    this.total = total;
    this.perAddress = perAddress;
  }

  /** Whether {@code address} got a slot; each true must be followed by one {@link #release}. */
  boolean tryTake(String address) {
    if (taken.incrementAndGet() > total) {
      taken.decrementAndGet();
      return false;
    }
    int[] fromAddress = new int[1];
    // compute() increments under the map's lock: a concurrent release cannot drop the counter
    // between the lookup and the increment.
    byAddress.compute(address, (a, count) -> {
      AtomicInteger c = count == null ? new AtomicInteger() : count;
      fromAddress[0] = c.incrementAndGet();
      return c;
    });
    if (fromAddress[0] > perAddress) {
      release(address);
      return false;
    }
    return true;
  }

  void release(String address) {
    taken.decrementAndGet();
    byAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  int taken() {
    return taken.get();
  }
}
