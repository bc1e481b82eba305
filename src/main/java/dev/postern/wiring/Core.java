package dev.postern.wiring;

import dev.postern.audit.AuditLog;
import dev.postern.auth.KeyAuthenticator;
import dev.postern.auth.KeyRows;
import dev.postern.auth.LastUsedTracker;
import dev.postern.auth.Quotas;
import dev.postern.blob.BlobStore;
import dev.postern.StartupException;
import dev.postern.config.PosternConfig;
import dev.postern.db.Batcher;
import dev.postern.db.CoalescedNotify;
import dev.postern.db.Database;
import dev.postern.db.ExpirySweeper;
import dev.postern.db.PgSignals;
import dev.postern.delivery.dkim.DkimKeys;
import dev.postern.domains.DnsTxtLookup;
import dev.postern.domains.DomainRepository;
import dev.postern.domains.DomainService;
import dev.postern.http.Readiness;
import dev.postern.inbound.accept.DedupeSweeper;
import dev.postern.inbound.accept.InboundAcceptor;
import dev.postern.inbound.filing.InboundWorkQueue;
import dev.postern.inbound.accept.InboundRepository;
import dev.postern.inbound.accept.LocalRoutes;
import dev.postern.inbound.accept.RecipientResolver;
import dev.postern.inbound.store.MailChangeEvents;
import dev.postern.inbound.store.MailStore;
import dev.postern.keys.KeyFormat;
import dev.postern.keys.KeyRepository;
import dev.postern.keys.KeyVault;
import dev.postern.keys.SealedRows;
import dev.postern.mailboxes.MailboxRepository;
import dev.postern.mailboxes.MailboxService;
import dev.postern.queue.OutboundQueue;
import dev.postern.queue.PgOutboundQueue;
import dev.postern.queue.QueueWakeups;
import dev.postern.ratelimit.RateLimiter;
import dev.postern.send.GroupCommit;
import dev.postern.send.IdempotencySweeper;
import dev.postern.send.OrphanBlobSweeper;
import dev.postern.send.OutboundRepository;
import dev.postern.send.SubmissionService;
import dev.postern.webhooks.DeliveryWebhooks;
import dev.postern.webhooks.WebhookDeliveries;
import dev.postern.webhooks.WebhookDispatcher;
import dev.postern.webhooks.WebhookRepository;
import dev.postern.webhooks.WebhookService;
import dev.postern.webhooks.WebhookSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * The protocol-neutral core, built once: the adapters, the services every edge calls, and the
 * node's identity. Features ({@link Feature}) are wired from it; tests reach any part of a
 * running gateway through it.
 *
 * @param node lease owner name of this node's delivery workers: unique per process start
 * @param cpu CPU-bound work (key decryption, MIME of large bodies): never on an event loop
 * @param signing DKIM signing of outbound mail (bench/README.md "DKIM signing cost": about 2 ms
 *     of CPU per message), a pool of its own, one thread per core, so that a burst of claimed
 *     messages queues its signatures here and not in front of the accept path's work on
 *     {@code cpu}; the OS shares the cores between the two pools' threads
 * @param signals cross-node LISTEN/NOTIFY; connected by the gateway once every feature listens
 * @param submissions the one way mail enters the queue (REST, and next SMTP)
 * @param webhookDispatcher records webhook events ({@code emit}); the webhooks feature delivers them
 * @param sealedRows every sealed value, for master-secret rotation
 * @param recipients which hosted mailbox receives mail for an address (MX, local delivery)
 * @param inbound the one way received mail becomes durable (the MX's acknowledgement point)
 * @param mailStore the one way stored mail is filed and changed (filing, the inbox API's PATCH and
 *     DELETE, later IMAP); its changes are announced on the event bus and to other nodes
 * @param filingWakeup run after a commit that created filings ({@code inbound_deliveries}): wakes
 *     this node's filing loop on the event bus and the other nodes' by a coalesced NOTIFY
 */
public record Core(
    Vertx vertx, PosternConfig config, Clock clock, String node, KeyVault vault,
    WorkerExecutor cpu, WorkerExecutor signing, Readiness readiness,
    Database database, RateLimiter limiter, BlobStore blobs,
    AuditLog audit, PgSignals signals, OutboundQueue queue,
    KeyAuthenticator authenticator, LastUsedTracker lastUsed, Quotas quotas,
    SubmissionService submissions,
    DomainService domains, MailboxService mailboxes, DkimKeys dkimKeys,
    WebhookService webhooks, WebhookDispatcher webhookDispatcher, SealedRows sealedRows,
    RecipientResolver recipients, InboundAcceptor inbound, MailStore mailStore,
    Runnable filingWakeup) {

  /**
   * Opens the adapters, then builds the services over them. Call from a non-event-loop thread
   * (the first steps read files). Everything opened is pushed onto {@code closers}.
   */
  public static Future<Core> open(Vertx vertx, PosternConfig config, Clock clock, KeyVault vault,
      Closers closers) {
    Readiness readiness = new Readiness(config.http().readinessTimeout().toMillis());
    int threads = config.cpuThreads() > 0 ? config.cpuThreads()
        : Math.max(2, Runtime.getRuntime().availableProcessors());
    WorkerExecutor cpu = closers.push("cpu pool",
        vertx.createSharedWorkerExecutor("postern-cpu", threads), WorkerExecutor::close);
    WorkerExecutor signing = closers.push("DKIM signing pool",
        vertx.createSharedWorkerExecutor("postern-dkim", threads), WorkerExecutor::close);
    return Ports.open(vertx, config, clock, readiness, closers)
        .compose(ports -> {
          SealedRows sealed = new SealedRows(ports.database().pool(), vault, cpu);
          return requireMasterVersions(sealed, vault).map(v -> build(vertx, config, clock, vault,
              cpu, signing, readiness, ports, sealed, closers));
        });
  }

  /**
   * Refuses to start while any sealed row needs a master version the configuration lacks: such
   * a row would fail later and quietly (a DKIM key that does not open sends mail unsigned).
   */
  private static Future<Void> requireMasterVersions(SealedRows sealed, KeyVault vault) {
    return sealed.missingVersion().compose(missing -> missing.isEmpty() ? Future.succeededFuture()
        : Future.failedFuture(new StartupException(missing.get().column().qualifiedName() + ": "
            + missing.get().rows() + " row(s) sealed under master secret v" + missing.get().version()
            + ", which secrets.master_secret (POSTERN_MASTER_SECRET) does not list (it has "
            + vault.masters().versions().stream().map(v -> "v" + v).toList()
            + "); list v" + missing.get().version() + " after the current version, start, and run"
            + " `postern keys reseal` before removing it")));
  }

  /** The services over the opened ports, in dependency order. */
  private static Core build(Vertx vertx, PosternConfig config, Clock clock, KeyVault vault,
      WorkerExecutor cpu, WorkerExecutor signing, Readiness readiness, Ports ports,
      SealedRows sealed, Closers closers) {
    String node = "node-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    Pool pool = ports.database().pool();
    PosternConfig.Dns dns = config.dns();
    DnsTxtLookup lookup = closers.push("DNS client", new DnsTxtLookup(vertx.createDnsClient(
        new DnsClientOptions().setHost(dns.host()).setPort(dns.port())
            .setQueryTimeout(dns.timeout().toMillis()))), DnsTxtLookup::close);
    // Audit rows of the last requests are written while the database is still open.
    PosternConfig.Audit a = config.audit();
    AuditLog audit = closers.push("audit log", new AuditLog(vertx, pool, new AuditLog.Settings(
        a.batchSize(), a.flushInterval(), a.maxQueued(), a.maxAttempts())), AuditLog::close);
    PgSignals signals = closers.push("signals",
        new PgSignals(vertx, ports.database().connectOptions()), PgSignals::close);
    OutboundQueue queue = new PgOutboundQueue(pool, node);

    PosternConfig.Keys keys = config.keys();
    KeyRepository keyRows = new KeyRepository(pool);
    KeyAuthenticator authenticator = new KeyAuthenticator(new KeyFormat(keys.prefix()), KeyRows.of(keyRows),
        vault, cpu, clock, KeyAuthenticator.Settings.of(keys.cacheSize(), keys.cacheTtl().toMillis()));
    signals.listen(KeyRepository.CHANGES_CHANNEL, authenticator::invalidate,
        v -> authenticator.invalidateAll());
    LastUsedTracker lastUsed = closers.push("last-used tracker",
        new LastUsedTracker(vertx, keyRows, clock, keys.lastUsedFlush().toMillis()),
        LastUsedTracker::close);
    Quotas quotas = new Quotas(ports.limiter(), clock, keys.inboxReadsPerHour());

    PosternConfig.Delivery delivery = config.delivery();
    WebhookDispatcher webhookDispatcher = new WebhookDispatcher(vertx, pool,
        new WebhookDeliveries(pool, node), vault, cpu, clock, webhookSettings(config.webhooks()));
    RecipientResolver recipients = RecipientResolver.of(pool, config.inbound().mailboxQuotaBytes(),
        clock);
    CoalescedNotify filingWakeups = new CoalescedNotify(vertx, pool, InboundAcceptor.NOTIFY_CHANNEL,
        delivery.wakeupCoalesce().toMillis());
    SubmissionService submissions = new SubmissionService(vertx,
        new OutboundRepository(vertx, pool, queue, GroupCommit.Settings.of(config.postgres().groupCommit()),
            !delivery.relays().isEmpty()),
        ports.blobs(), quotas,
        new QueueWakeups(vertx, pool, delivery.wakeupCoalesce().toMillis()), cpu, clock,
        config.smtp().maxMessageBytes(), new LocalRoutes(recipients),
        new DeliveryWebhooks(pool, webhookDispatcher, clock, config.webhooks().subscriptionsTtl()),
        filingWakeups::ring);
    OrphanBlobSweeper orphans = new OrphanBlobSweeper(vertx, ports.blobs(), pool, clock,
        config.blobs().orphanMinAge());
    orphans.start(config.blobs().orphanSweepInterval());
    closers.push("orphan blob sweeper", () -> {
      orphans.stop();
      return Future.succeededFuture();
    });

    for (ExpirySweeper sweeper : List.of(
        IdempotencySweeper.create(vertx, pool, config.housekeeping().idempotencySweepBatch()),
        DedupeSweeper.create(vertx, pool, config.housekeeping().idempotencySweepBatch()))) {
      sweeper.start(config.housekeeping().idempotencySweepInterval());
      closers.push("expiry sweeper", () -> {
        sweeper.stop();
        return Future.succeededFuture();
      });
    }

    DomainService domains = new DomainService(new DomainRepository(pool), vault, cpu, lookup);
    PosternConfig.GroupCommit group = config.postgres().groupCommit();
    InboundRepository inboundRows = new InboundRepository(vertx, pool, new Batcher.Settings(
        group.maxMessages(), group.maxBytes(), group.maxWait(), group.maxInFlight()));
    // This node's filing is woken on the event bus at once (no NOTIFY round trip through
    // PostgreSQL and the LISTEN connection), the other nodes' by the coalesced NOTIFY.
    Runnable wakeFiling = () -> {
      vertx.eventBus().publish(InboundWorkQueue.WAKE_ADDRESS, "");
      filingWakeups.ring();
    };
    InboundAcceptor inbound = new InboundAcceptor(inboundRows, ports.blobs(),
        recipients, wakeFiling, cpu, clock, config.smtp().serverName(),
        config.smtp().maxMessageBytes());
    return new Core(vertx, config, clock, node, vault, cpu, signing, readiness,
        ports.database(), ports.limiter(), ports.blobs(), audit, signals, queue,
        authenticator, lastUsed, quotas, submissions,
        domains, new MailboxService(new MailboxRepository(pool), domains, cpu,
            recipients::invalidateAll),
        new DkimKeys(pool, vault, cpu, clock, delivery.dkimCacheSize(),
            delivery.dkimCacheTtl().toMillis()),
        new WebhookService(new WebhookRepository(pool), domains.repository(), vault, cpu),
        webhookDispatcher, sealed, recipients, inbound,
        new MailStore(pool, ports.blobs(), new MailChangeEvents(vertx, pool,
            config.inbound().changesCoalesce().toMillis())), wakeFiling);
  }

  private static WebhookSettings webhookSettings(PosternConfig.Webhooks w) {
    return new WebhookSettings(w.requestTimeout(), w.firstRetry(), w.retryMultiplier(),
        w.maxRetry(), w.maxAttempts(), w.horizon(), w.pollInterval(), w.concurrency(),
        w.batchSize(), w.secretCacheSize(), w.allowPrivateTargets());
  }
}
