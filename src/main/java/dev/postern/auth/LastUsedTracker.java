package dev.postern.auth;

import dev.postern.keys.KeyRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code last_used_at} without a write per request: uses are collected in memory and written for
 * all keys in one statement every interval (and on close). Precision is the interval.
 */
public final class LastUsedTracker {

  private static final Logger log = LoggerFactory.getLogger(LastUsedTracker.class);

  private final Vertx vertx;
  private final KeyRepository keys;
  private final Clock clock;
  private final long timer;
  private volatile ConcurrentHashMap<UUID, Instant> pending = new ConcurrentHashMap<>();

  public LastUsedTracker(Vertx vertx, KeyRepository keys, Clock clock, long intervalMillis) {
    this.vertx = vertx;
    this.keys = keys;
    this.clock = clock;
    this.timer = vertx.setPeriodic(intervalMillis, id -> flush());
  }

  public void touch(UUID keyId) {
    pending.put(keyId, clock.instant());
  }

  public Future<Void> flush() {
    Map<UUID, Instant> batch = pending;
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    pending = new ConcurrentHashMap<>();
    return keys.touchLastUsed(batch).recover(e -> {
      log.warn("could not record key last-use times: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return flush();
  }
}
