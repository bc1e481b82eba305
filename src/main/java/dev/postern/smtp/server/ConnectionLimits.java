package dev.postern.smtp.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open SMTP connections, in total and per client address, shared by every server verticle
 * instance of the process: one client opening 100 connections cannot take the slots others need
 * (TESTING.md SMTP 9).
 */
public final class ConnectionLimits {

  private final int total;
  private final int perAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();

  public ConnectionLimits(int total, int perAddress) {
    this.total = total;
    this.perAddress = perAddress;
  }

  /** Why a new connection from {@code address} is refused, or null when it took a slot. */
  public String tryOpen(String address) {
    if (open.incrementAndGet() > total) {
      open.decrementAndGet();
      return "too many connections";
    }
    int[] fromAddress = new int[1];
    // compute() increments under the map's lock, so a concurrent release cannot remove the
    // counter between the lookup and the increment.
    byAddress.compute(address, (a, count) -> {
      AtomicInteger c = count == null ? new AtomicInteger() : count;
      fromAddress[0] = c.incrementAndGet();
      return c;
    });
    if (fromAddress[0] > perAddress) {
      release(address);
      return "too many connections from your address";
    }
    return null;
  }

  /** Gives back a slot taken by {@link #tryOpen}. */
  public void release(String address) {
    open.decrementAndGet();
    byAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  public int open() {
    return open.get();
  }
}
