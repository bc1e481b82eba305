package dev.postern;

import dev.postern.config.PosternConfig;
import dev.postern.db.Database;
import dev.postern.db.Migrations;
import dev.postern.admin.AdminAuth;
import dev.postern.admin.AdminKeyRoutes;
import dev.postern.admin.AdminTrail;
import dev.postern.http.RequestAudit;
import dev.postern.http.ApiKeyAuth;
import dev.postern.http.QuotaSteps;
import dev.postern.auth.KeyAuthenticator;
import dev.postern.auth.LastUsedTracker;
import dev.postern.http.PingRoutes;
import dev.postern.auth.Quotas;
import dev.postern.db.PgSignals;
import dev.postern.delivery.DkimMessageSigner;
import dev.postern.delivery.dkim.DkimSigner;
import dev.postern.webhooks.DeliveryWebhooks;
import dev.postern.delivery.DeliveryListener;
import dev.postern.delivery.DeliveryStack;
import dev.postern.delivery.DeliveryVerticle;
import dev.postern.delivery.MessageSigner;
import dev.postern.queue.OutboundQueue;
import dev.postern.queue.PgOutboundQueue;
import dev.postern.keys.KeyFormat;
import dev.postern.keys.KeyIssuer;
import dev.postern.keys.KeyRepository;
import dev.postern.queue.QueueWakeups;
import dev.postern.http.EmailRoutes;
import dev.postern.send.OrphanBlobSweeper;
import dev.postern.send.OutboundRepository;
import dev.postern.send.SendRequestParser;
import dev.postern.send.SubmissionService;
import dev.postern.admin.AdminRoutes;
import dev.postern.audit.AuditLog;
import dev.postern.audit.AuditReader;
import dev.postern.domains.DnsTxtLookup;
import dev.postern.domains.DomainRepository;
import dev.postern.domains.DomainService;
import dev.postern.mailboxes.MailboxRepository;
import dev.postern.mailboxes.MailboxService;
import dev.postern.webhooks.WebhookRepository;
import dev.postern.webhooks.WebhookService;
import io.vertx.core.dns.DnsClientOptions;
import dev.postern.blob.BlobStore;
import dev.postern.blob.filesystem.FilesystemBlobStore;
import dev.postern.blob.s3.S3BlobStore;
import dev.postern.blob.s3.S3Settings;
import dev.postern.http.ApiRouter;
import dev.postern.http.DependencyFailures;
import dev.postern.http.ErrorHandler;
import dev.postern.http.HttpApiVerticle;
import dev.postern.http.Readiness;
import dev.postern.http.RouteGroup;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.ratelimit.RateLimiter;
import dev.postern.ratelimit.memory.MemoryRateLimiter;
import dev.postern.ratelimit.redis.RedisRateLimiter;
import dev.postern.delivery.dkim.DkimKeys;
import dev.postern.webhooks.WebhookDeliveries;
import dev.postern.webhooks.WebhookDispatcher;
import dev.postern.webhooks.WebhookSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.UUID;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: the only place adapters are chosen and constructed. {@link #start} brings
 * the gateway to ready; {@link #stop} drains and releases everything, in reverse order.
 */
public final class Gateway {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final PosternConfig config;
  private final KeyVault vault;
  private final AdminAuth adminAuth;
  private final Readiness readiness = new Readiness();
  private final ErrorHandler errors = new ErrorHandler();
  private final List<RouteGroup> routes = new ArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Database database;
  private RateLimiter limiter;
  private BlobStore blobs;
  private KeyAuthenticator authenticator;
  private Quotas quotas;
  private SubmissionService submissions;
  private OrphanBlobSweeper orphans;
  private PgSignals signals;
  private LastUsedTracker lastUsed;
  /** CPU-bound work (key decryption, DKIM, MIME of large bodies): never on an event loop. */
  private WorkerExecutor cpu;
  private String httpDeployment;
  private AuditLog audit;
  private DomainService domains;
  private DnsTxtLookup dns;
  private WebhookService webhooks;
  private WebhookDispatcher webhookDispatcher;
  private DkimKeys dkimKeys;
  private String deliveryDeployment;
  private OutboundQueue queue;
  /** Lease owner name of this node's delivery workers: unique per process start. */
  private final String node = "node-" + ProcessHandle.current().pid() + "-"
      + UUID.randomUUID().toString().substring(0, 8);

  private Gateway(Vertx vertx, PosternConfig config, KeyVault vault, String adminToken) {
    this.vertx = vertx;
    this.config = config;
    this.vault = vault;
    this.adminAuth = new AdminAuth(adminToken);
    errors.register(new DependencyFailures());
  }

  /**
   * Starts every component. Call from a non-event-loop thread (main): the first steps read files.
   * On failure, whatever had started is stopped again before the future fails.
   */
  public static Future<Gateway> start(Vertx vertx, PosternConfig config, MasterSecrets masters,
      String adminToken, PrometheusMeterRegistry metrics) {
    Gateway gateway = new Gateway(vertx, config, new KeyVault(masters), adminToken);
    Migrations migrations = Migrations.fromClasspath();
    return gateway.openDatabase()
        .compose(db -> migrations.apply(db.pool()))
        .compose(applied -> gateway.openRateLimiter())
        .compose(v -> gateway.openBlobStore())
        .compose(v -> gateway.startFeatures())
        .compose(v -> gateway.deployHttp(metrics))
        .map(gateway)
        .recover(e -> gateway.stop().transform(x -> Future.failedFuture(e)));
  }

  private Future<Database> openDatabase() {
    return Database.open(vertx, config.postgres().url(), "postgres.url (POSTERN_PG_URL)",
            config.postgres().poolSize(), config.postgres().connectTimeout(), config.dataDir())
        .onSuccess(db -> {
          database = db;
          readiness.add("database", db::ping);
        });
  }

  /** Redis when configured (shared by every node), else in-process counters. */
  private Future<Void> openRateLimiter() {
    PosternConfig.Redis redis = config.redis();
    if (redis.url() == null) {
      limiter = new MemoryRateLimiter(Clock.systemUTC());
      return Future.succeededFuture();
    }
    limiter = RedisRateLimiter.create(vertx, Clock.systemUTC(), RedisRateLimiter.Settings
        .defaults(redis.url(), "postern:rl", redis.failureMode()).withTimeout(redis.timeout()));
    readiness.add("redis", limiter::ping);
    // Warm the connection so the first request does not pay for it; an outage here is not fatal:
    // the configured failure mode governs requests until Redis answers.
    return limiter.ping().recover(e -> {
      log.warn("Redis not reachable at start-up; quota checks follow {} until it is",
          redis.failureMode().name().toLowerCase(java.util.Locale.ROOT));
      return Future.succeededFuture();
    });
  }

  /** S3-compatible storage when configured, else files under the data directory. */
  private Future<Void> openBlobStore() {
    PosternConfig.Blobs b = config.blobs();
    Future<? extends BlobStore> opened = b.s3()
        ? S3BlobStore.start(vertx, S3Settings.of(b.s3Endpoint(), b.s3Region(), b.s3Bucket(),
                b.s3AccessKey(), b.s3SecretKey()).withRequestTimeout(b.timeout()))
            .recover(e -> Future.failedFuture(new StartupException("blobs.s3_endpoint "
                + "(POSTERN_S3_ENDPOINT): cannot use bucket " + b.s3Bucket() + " at "
                + b.s3Endpoint() + " (" + e.getMessage() + ")")))
        : FilesystemBlobStore.create(vertx, config.dataDir().resolve("blobs"));
    return opened.onSuccess(store -> {
      blobs = store;
      readiness.add("blob_store", store::ping);
    }).mapEmpty();
  }

  /** The one way mail enters the queue (REST and SMTP). */
  public SubmissionService submissions() {
    return submissions;
  }

  public BlobStore blobStore() {
    return blobs;
  }

  public RateLimiter rateLimiter() {
    return limiter;
  }

  /**
   * Builds the feature services over the opened adapters and mounts their routes. Runs once the
   * database, blob store and limiter are up, before the HTTP port opens.
   */
  private Future<Void> startFeatures() {
    cpu = vertx.createSharedWorkerExecutor("postern-cpu", Math.max(2, Runtime.getRuntime().availableProcessors()));
    Clock clock = Clock.systemUTC();
    audit = new AuditLog(vertx, database.pool());
    signals = new PgSignals(vertx, database.connectOptions());
    startAdmin();
    ApiKeyAuth apiKeys = startKeys(clock);
    queue = new PgOutboundQueue(database.pool(), node);
    startSending(apiKeys, clock);
    startWebhooksAndDkim(clock);
    // Queue wake-ups from any node become local ones; a (re)subscribe wakes too, in case
    // notifications were missed while the LISTEN connection was down.
    signals.listen(OutboundQueue.NOTIFY_CHANNEL, id -> vertx.eventBus().publish(OutboundQueue.WAKE_ADDRESS, id),
        v -> vertx.eventBus().publish(OutboundQueue.WAKE_ADDRESS, ""));
    return signals.connect()
        .compose(v -> webhookDispatcher.start())
        .compose(v -> deployDelivery(clock));
  }

  /** Domains, mailboxes, webhooks and the audit trail under /admin/v1 (keys: {@link #startKeys}). */
  private void startAdmin() {
    dns = new DnsTxtLookup(vertx.createDnsClient(new DnsClientOptions()
        .setHost(config.dns().host()).setPort(config.dns().port()).setQueryTimeout(5_000)));
    domains = new DomainService(new DomainRepository(database.pool()), vault, cpu, dns);
    webhooks = new WebhookService(new WebhookRepository(database.pool()), domains.repository(), vault, cpu);
    routes.add(new AdminRoutes(adminAuth, audit, new AuditReader(database.pool()), domains,
        new MailboxService(new MailboxRepository(database.pool()), domains, cpu), webhooks));
  }

  /** API-key authentication (cache invalidated over NOTIFY), _ping, and the admin key routes. */
  private ApiKeyAuth startKeys(Clock clock) {
    PosternConfig.Keys keyConfig = config.keys();
    KeyFormat format = new KeyFormat(keyConfig.prefix());
    KeyRepository keys = new KeyRepository(database.pool());
    authenticator = new KeyAuthenticator(format, keys, vault, cpu, clock,
        KeyAuthenticator.Settings.of(keyConfig.cacheSize(), keyConfig.cacheTtl().toMillis()));
    signals.listen(KeyRepository.CHANGES_CHANNEL, authenticator::invalidate, v -> authenticator.invalidateAll());
    lastUsed = new LastUsedTracker(vertx, keys, clock, 15_000);
    quotas = new Quotas(limiter, clock, keyConfig.inboxReadsPerHour());
    ApiKeyAuth apiKeys = new ApiKeyAuth(authenticator, lastUsed, new RequestAudit(audit));
    routes.add(new PingRoutes(apiKeys, new QuotaSteps(quotas)));
    KeyIssuer issuer = new KeyIssuer(format, keys, vault, cpu, authenticator::invalidate);
    routes.add(new AdminKeyRoutes(adminAuth, issuer, keys, keyConfig.defaultRateLimitPerHour(),
        new AdminTrail(audit)));
    return apiKeys;
  }

  /** The one submission path and the Resend-compatible email routes. */
  private void startSending(ApiKeyAuth apiKeys, Clock clock) {
    OutboundRepository outbound = new OutboundRepository(database.pool(), queue);
    submissions = new SubmissionService(vertx, outbound, blobs, quotas,
        new QueueWakeups(vertx, database.pool(), 20), cpu, clock,
        config.smtp().maxMessageBytes());
    routes.add(new EmailRoutes(apiKeys, new QuotaSteps(quotas), submissions, outbound, new SendRequestParser(clock), cpu));
    orphans = new OrphanBlobSweeper(vertx, blobs, database.pool(), clock, Duration.ofHours(1));
    orphans.start(Duration.ofMinutes(15));
  }

  /** Webhook delivery (one loop per node) and the DKIM keys delivery signs with. */
  private void startWebhooksAndDkim(Clock clock) {
    webhookDispatcher = new WebhookDispatcher(vertx, database.pool(),
        new WebhookDeliveries(database.pool(), node), vault, cpu, clock,
        WebhookSettings.defaults());
    signals.listen(WebhookDispatcher.CHANNEL, p -> webhookDispatcher.wake(), v -> webhookDispatcher.wake());
    dkimKeys = new DkimKeys(database.pool(), vault, cpu, clock, 1_000, 600_000);
  }

  /** Delivery workers on every node (SPEC §6), claiming from the shared queue. */
  private Future<Void> deployDelivery(Clock clock) {
    PosternConfig.Delivery d = config.delivery();
    DeliveryStack.Factory stack = DeliveryStack.factory(d, queue, blobs,
        new DkimMessageSigner(dkimKeys, new DkimSigner(clock), cpu),
        new DeliveryWebhooks(database.pool(), webhookDispatcher), clock);
    return vertx.deployVerticle(() -> new DeliveryVerticle(stack, d.shutdownGrace()),
            new DeploymentOptions().setInstances(d.workers()))
        .onSuccess(id -> {
          deliveryDeployment = id;
          log.info("delivery: {} workers as {}, {}", d.workers(), node,
              d.relays().isEmpty() ? "no relay configured" : "relays " + d.relays());
        })
        .mapEmpty();
  }


  /** The batched audit writer: {@code audit().record(entry)} from any thread, never blocks. */
  public AuditLog audit() {
    return audit;
  }

  /** Domains (creation, DNS records, verification); signing keys come from {@link #dkimKeys()}. */
  public DomainService domains() {
    return domains;
  }

  /** Webhooks, including {@code webhooks().signingSecret(id)} for dispatch. */
  public WebhookService webhooks() {
    return webhooks;
  }

  /** Records webhook events ({@code emit}); its loop delivers them. */
  public WebhookDispatcher webhookDispatcher() {
    return webhookDispatcher;
  }

  /** DKIM keys by domain, for the relay client (signing runs on {@link #cpu}). */
  public DkimKeys dkimKeys() {
    return dkimKeys;
  }

  private Future<Void> deployHttp(PrometheusMeterRegistry metrics) {
    int instances = config.http().instances() > 0 ? config.http().instances()
        : Runtime.getRuntime().availableProcessors();
    List<RouteGroup> groups = List.copyOf(routes);
    return vertx.deployVerticle(
            () -> new HttpApiVerticle(config.http(), v -> ApiRouter.create(v,
                config.http().maxBodyBytes(), readiness, metrics, errors, groups)),
            new DeploymentOptions().setInstances(instances))
        .recover(e -> Future.failedFuture(new StartupException("HTTP port "
            + config.http().host() + ":" + config.http().port() + " (POSTERN_HTTP_PORT): "
            + e.getMessage())))
        .onSuccess(id -> {
          httpDeployment = id;
          log.info("HTTP API listening on {}:{} ({} instances)", config.http().host(),
              config.http().port(), instances);
        })
        .mapEmpty();
  }

  public Readiness readiness() {
    return readiness;
  }

  /**
   * Graceful shutdown: report not-ready, stop accepting and let in-flight requests finish within
   * the grace period, then close the database (stopping the embedded server). Idempotent.
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    readiness.drain();
    if (orphans != null) {
      orphans.stop();
    }
    Future<Void> delivery = deliveryDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(deliveryDeployment).recover(e -> {
          log.warn("delivery shutdown: {}", e.getMessage());
          return Future.succeededFuture();
        });
    Future<Void> http = httpDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(httpDeployment).recover(e -> {
          log.warn("HTTP shutdown: {}", e.getMessage());
          return Future.succeededFuture();
        });
    return Future.join(delivery, http).<Void>mapEmpty().recover(e -> Future.succeededFuture())
        .compose(v -> webhookDispatcher == null ? Future.<Void>succeededFuture()
            : webhookDispatcher.stop().recover(e -> Future.succeededFuture()))
        .compose(v -> lastUsed == null ? Future.<Void>succeededFuture() : lastUsed.close())
        .compose(v -> signals == null ? Future.<Void>succeededFuture()
            : signals.close().recover(e -> Future.succeededFuture()))
        // Audit rows of the last requests are written while the database is still open.
        .compose(v -> audit == null ? Future.<Void>succeededFuture() : audit.close())
        .compose(v -> dns == null ? Future.<Void>succeededFuture() : dns.close().recover(e -> Future.succeededFuture()))
        .compose(v -> blobs == null ? Future.<Void>succeededFuture()
            : blobs.close().recover(e -> Future.succeededFuture()))
        .compose(v -> limiter == null ? Future.<Void>succeededFuture()
            : limiter.close().recover(e -> Future.succeededFuture()))
        .compose(v -> database == null ? Future.<Void>succeededFuture() : database.close())
        .eventually(() -> cpu == null ? Future.succeededFuture() : cpu.close())
        .onComplete(r -> log.info("gateway stopped"));
  }

  /** Last resort from a JVM shutdown hook: never leave the embedded PostgreSQL running. */
  void stopEmbeddedDatabaseNow() {
    if (database != null) {
      database.stopEmbeddedNow();
    }
  }
}
