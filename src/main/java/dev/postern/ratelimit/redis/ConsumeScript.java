package dev.postern.ratelimit.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one Lua script that makes check-and-count atomic in Redis: a refused consume never touches
 * the counter, so concurrent callers on any number of nodes never overshoot the limit.
 *
 * <p>KEYS[1] is {@code <prefix>:<bucket>:<windowStartEpoch>}; ARGV is cost, limit, and the key's
 * time to live in seconds. Returns {@code {allowed (1 or 0), count after this call}}. A cost of 0
 * only reads, which is how peek works.
 *
 * <p>The expiry is relative (EXPIRE, computed from the gateway's clock) rather than EXPIREAT: an
 * absolute time would be read by Redis's clock, so skew between a node and Redis (or a test's
 * controlled clock) could expire a live window at once.
 */
final class ConsumeScript {

  static final String SOURCE = """
      local count = tonumber(redis.call('GET', KEYS[1]) or '0')
      local cost = tonumber(ARGV[1])
      if count + cost > tonumber(ARGV[2]) then
        return {0, count}
      end
      if cost > 0 then
        count = redis.call('INCRBY', KEYS[1], cost)
        redis.call('EXPIRE', KEYS[1], ARGV[3])
      end
      return {1, count}
      """;

  /** What EVALSHA names the script by; Redis computes the same SHA-1 when EVAL caches it. */
  static final String SHA1 = sha1(SOURCE);

  private ConsumeScript() {}

  private static String sha1(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM ships SHA-1", e);
    }
  }
}
