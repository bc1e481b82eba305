package dev.postern.ratelimit.redis;

import dev.postern.logging.ThrottledWarning;
import dev.postern.ratelimit.Decision;
import dev.postern.ratelimit.FailureMode;
import dev.postern.ratelimit.HourWindow;
import dev.postern.ratelimit.RateLimiter;
import dev.postern.ratelimit.RateLimiterUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters in Redis, shared by every gateway node. Each call is one round trip running
 * {@link ConsumeScript} (EVALSHA, falling back to EVAL when Redis answers NOSCRIPT, e.g. after a
 * restart), bounded by {@link Settings#timeout()}. When Redis is unreachable, errors or stalls,
 * the configured {@link FailureMode} decides; the connection pool reconnects by itself once Redis
 * is back.
 */
public final class RedisRateLimiter implements RateLimiter {

  /**
   * @param url {@code redis://host:port[/db]}, credentials included if any
   * @param keyPrefix prepended to every key, so several deployments or tests can share a Redis
   * @param timeout bound on every call, including connecting; the caller never waits longer
   * @param failureMode what a call answers when Redis cannot
   * @param maxPoolSize connections to Redis
   * @param maxPoolWaiting calls queued for a connection before further calls fail at once
   */
  public record Settings(String url, String keyPrefix, Duration timeout, FailureMode failureMode,
      int maxPoolSize, int maxPoolWaiting) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);

    public Settings {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      Objects.requireNonNull(failureMode, "failureMode");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
    }

    /** The URL's password is redacted (issue #15.7). */
    @Override
    public String toString() {
      return "Settings[url=" + dev.postern.config.Redacted.url(url) + ", keyPrefix=" + keyPrefix
          + ", timeout=" + timeout + ", failureMode=" + failureMode + ", maxPoolSize="
          + maxPoolSize + ", maxPoolWaiting=" + maxPoolWaiting + "]";
    }

    /** 250 ms timeout, 8 connections, 2 048 queued calls. */
    public static Settings defaults(String url, String keyPrefix, FailureMode failureMode) {
      return new Settings(url, keyPrefix, DEFAULT_TIMEOUT, failureMode, 8, 2048);
    }

    public Settings withTimeout(Duration newTimeout) {
      return new Settings(url, keyPrefix, newTimeout, failureMode, maxPoolSize, maxPoolWaiting);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);

  /** Keeps a window's key a little past its end so a slow clock on one node still finds it. */
  private static final long EXPIRY_SLACK_SECONDS = 60;

  /**
   * A connection that has read nothing for this long is closed and replaced. It frees the pool
   * from a Redis that accepted the connection and then stalled (our calls time out long before).
   */
  private static final int STALLED_CONNECTION_SECONDS = 10;

  private final Redis redis;
  private final Clock clock;
  private final Settings settings;
  private final ThrottledWarning outageWarning =
      new ThrottledWarning(LOG, Duration.ofSeconds(10), System::nanoTime);
  private volatile boolean degraded;

  /** Takes ownership of {@code redis}: {@link #close()} closes it. */
  public RedisRateLimiter(Redis redis, Clock clock, Settings settings) {
    this.redis = redis;
    this.clock = clock;
    this.settings = settings;
  }

  /** Creates the Redis client too. Connects lazily: Redis need not be up yet. */
  public static RedisRateLimiter create(Vertx vertx, Clock clock, Settings settings) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(settings.url())
        .setMaxPoolSize(settings.maxPoolSize())
        .setMaxPoolWaiting(settings.maxPoolWaiting());
    options.getNetClientOptions()
        .setConnectTimeout((int) settings.timeout().toMillis())
        .setReadIdleTimeout(STALLED_CONNECTION_SECONDS)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    return new RedisRateLimiter(Redis.createClient(vertx, options), clock, settings);
  }

  @Override
  public Future<Decision> consume(String bucket, int cost, long limit) {
    if (cost < 0 || limit < 0) {
      return Future.failedFuture(new IllegalArgumentException("cost and limit must be >= 0"));
    }
    return count(bucket, cost, limit, false);
  }

  @Override
  public Future<Decision> peek(String bucket, long limit) {
    if (limit < 0) {
      return Future.failedFuture(new IllegalArgumentException("limit must be >= 0"));
    }
    return count(bucket, 0, limit, true);
  }

  /** Atomic floor-at-zero decrement that keeps the window key's expiry (Redis ≥ 6.0: KEEPTTL). */
  private static final String REFUND_SCRIPT = """
      local count = tonumber(redis.call('GET', KEYS[1]) or '0')
      if count <= 0 then return 0 end
      local after = count - tonumber(ARGV[1])
      if after < 0 then after = 0 end
      redis.call('SET', KEYS[1], after, 'KEEPTTL')
      return after
      """;

  @Override
  public Future<Void> refund(String bucket, int cost) {
    if (cost < 0) {
      return Future.failedFuture(new IllegalArgumentException("cost must be >= 0"));
    }
    HourWindow window = HourWindow.current(clock);
    String key = settings.keyPrefix() + ":" + bucket + ":" + window.startEpochSeconds();
    return redis.send(Request.cmd(Command.EVAL).arg(REFUND_SCRIPT).arg(1).arg(key).arg(cost))
        .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(failure -> {
          outageWarning.warn("Redis rate limiter store unavailable, refund dropped", failure);
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<Void> ping() {
    return redis.send(Request.cmd(Command.PING))
        .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(reply -> recovered())
        .<Void>mapEmpty()
        .recover(failure -> {
          outageWarning.warn("Redis rate limiter store unavailable (ping)", failure);
          degraded = true;
          return Future.failedFuture(
              new RateLimiterUnavailableException("rate limiter store unavailable", failure));
        });
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private Future<Decision> count(String bucket, int cost, long limit, boolean peek) {
    HourWindow window = HourWindow.current(clock);
    long ttl = window.endEpochSeconds() - clock.instant().getEpochSecond() + EXPIRY_SLACK_SECONDS;
    String key = settings.keyPrefix() + ":" + bucket + ":" + window.startEpochSeconds();
    return evaluate(key, cost, limit, ttl)
        .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(reply -> recovered())
        .map(reply -> decision(reply, limit, window, peek))
        .recover(failure -> unavailable(failure, limit, window));
  }

  private Future<Response> evaluate(String key, int cost, long limit, long ttl) {
    return redis.send(script(Command.EVALSHA, ConsumeScript.SHA1, key, cost, limit, ttl))
        .recover(failure -> isNoScript(failure)
            ? redis.send(script(Command.EVAL, ConsumeScript.SOURCE, key, cost, limit, ttl))
            : Future.failedFuture(failure));
  }

  private static Request script(Command command, String script, String key, int cost, long limit,
      long ttl) {
    return Request.cmd(command).arg(script).arg(1).arg(key).arg(cost).arg(limit).arg(ttl);
  }

  private static boolean isNoScript(Throwable failure) {
    String message = failure.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static Decision decision(Response reply, long limit, HourWindow window, boolean peek) {
    boolean counted = reply.get(0).toInteger() == 1;
    long count = reply.get(1).toLong();
    long remaining = Math.max(0, limit - count);
    boolean allowed = peek ? remaining > 0 : counted;
    return new Decision(allowed, limit, remaining, window.endEpochSeconds());
  }

  private Future<Decision> unavailable(Throwable failure, long limit, HourWindow window) {
    degraded = true;
    if (settings.failureMode() == FailureMode.FAIL_OPEN) {
      outageWarning.warn("Redis rate limiter store unavailable, failing open", failure);
      return Future.succeededFuture(new Decision(true, limit, limit, window.endEpochSeconds()));
    }
    outageWarning.warn("Redis rate limiter store unavailable, failing closed", failure);
    return Future.failedFuture(
        new RateLimiterUnavailableException("rate limiter store unavailable", failure));
  }

  private void recovered() {
    if (degraded) {
      degraded = false;
      LOG.info("Redis rate limiter store answering again");
    }
  }
}
