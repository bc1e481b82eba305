package dev.postern.wiring;

import dev.postern.StartupException;
import dev.postern.blob.BlobStore;
import dev.postern.blob.filesystem.FilesystemBlobStore;
import dev.postern.blob.s3.S3BlobStore;
import dev.postern.blob.s3.S3Settings;
import dev.postern.config.PosternConfig;
import dev.postern.db.Database;
import dev.postern.db.Migrations;
import dev.postern.http.Readiness;
import dev.postern.ratelimit.RateLimiter;
import dev.postern.ratelimit.memory.MemoryRateLimiter;
import dev.postern.ratelimit.redis.RedisRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapters behind the core's ports, chosen by configuration: PostgreSQL (external or
 * embedded), the rate limiter (Redis or in process) and the blob store (S3 or files). Each is
 * pushed onto {@link Closers} as it opens and added to {@link Readiness}.
 */
record Ports(Database database, RateLimiter limiter, BlobStore blobs) {

  private static final Logger log = LoggerFactory.getLogger(Ports.class);

  /** The database (migrated), then the limiter and the blob store. Reads files: not on an event loop. */
  static Future<Ports> open(Vertx vertx, PosternConfig config, Clock clock, Readiness readiness,
      Closers closers) {
    Migrations migrations = Migrations.fromClasspath();
    return database(vertx, config, readiness, closers)
        .compose(db -> migrations.apply(db.pool()).map(db))
        .compose(db -> Future.all(rateLimiter(vertx, config, clock, readiness, closers),
                blobStore(vertx, config, readiness, closers))
            .map(both -> new Ports(db, both.resultAt(0), both.resultAt(1))));
  }

  private static Future<Database> database(Vertx vertx, PosternConfig config, Readiness readiness,
      Closers closers) {
    PosternConfig.Postgres pg = config.postgres();
    return Database.open(vertx, pg.url(), "postgres.url (POSTERN_PG_URL)", pg.poolSize(),
            pg.connectTimeout(), config.dataDir())
        .map(db -> closers.push("database", db, Database::close))
        .onSuccess(db -> readiness.add("database", db::ping));
  }

  /** Redis when configured (shared by every node), else in-process counters. */
  private static Future<RateLimiter> rateLimiter(Vertx vertx, PosternConfig config, Clock clock,
      Readiness readiness, Closers closers) {
    PosternConfig.Redis redis = config.redis();
    if (redis.url() == null) {
      return Future.succeededFuture(closers.push("rate limiter", new MemoryRateLimiter(clock),
          RateLimiter::close));
    }
    RateLimiter limiter = closers.push("rate limiter", RedisRateLimiter.create(vertx, clock,
        RedisRateLimiter.Settings.defaults(redis.url(), redis.keyPrefix(), redis.failureMode())
            .withTimeout(redis.timeout())), RateLimiter::close);
    readiness.add("redis", limiter::ping);
    // Warm the connection so the first request does not pay for it; an outage here is not fatal:
    // the configured failure mode governs requests until Redis answers.
    return limiter.ping().recover(e -> {
      log.warn("Redis not reachable at start-up; quota checks follow {} until it is",
          redis.failureMode().name().toLowerCase(Locale.ROOT));
      return Future.succeededFuture();
    }).map(limiter);
  }

  /** S3-compatible storage when configured, else files under the data directory. */
  private static Future<BlobStore> blobStore(Vertx vertx, PosternConfig config,
      Readiness readiness, Closers closers) {
    PosternConfig.Blobs b = config.blobs();
    Future<? extends BlobStore> opened = b.s3()
        ? S3BlobStore.start(vertx, S3Settings.of(b.s3Endpoint(), b.s3Region(), b.s3Bucket(),
                b.s3AccessKey(), b.s3SecretKey()).withRequestTimeout(b.timeout()))
            .recover(e -> Future.failedFuture(new StartupException("blobs.s3_endpoint "
                + "(POSTERN_S3_ENDPOINT): cannot use bucket " + b.s3Bucket() + " at "
                + b.s3Endpoint() + " (" + e.getMessage() + ")")))
        : FilesystemBlobStore.create(vertx, config.dataDir().resolve("blobs"));
    return opened.<BlobStore>map(store -> closers.push("blob store", store, BlobStore::close))
        .onSuccess(store -> readiness.add("blob_store", store::ping));
  }
}
