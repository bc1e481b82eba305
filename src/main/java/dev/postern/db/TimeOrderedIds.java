package dev.postern.db;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Row ids that sort by creation time: UUID version 7 (RFC 9562 §5.7) — 48 bits of Unix
 * milliseconds, then 74 random bits (version and variant bits as the RFC sets them).
 *
 * <p>Why: a random (version 4) primary key sends every insert to a random leaf of every index
 * keyed by it — for an accepted message, four of them (outbound_messages, its recipients, events
 * and queue row) — so each insert descends the tree into a page that is rarely cached and, after
 * each checkpoint, WAL-logs that whole page again. Ids made in the same millisecond land side by
 * side at the right edge of the index instead. The ids stay unguessable (74 random bits from the
 * same kind of source {@link UUID#randomUUID()} uses) and are still plain UUIDs on the wire.
 */
public final class TimeOrderedIds {

  // One DRBG per thread: the default NativePRNG serialises every caller on one lock.
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  });

  private TimeOrderedIds() {}

  public static UUID next() {
    return at(System.currentTimeMillis());
  }

  static UUID at(long unixMillis) {
    SecureRandom random = RANDOM.get();
    long randA = random.nextInt(1 << 12);
    long randB = random.nextLong();
    long high = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | randA;
    long low = randB & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }
}
