package dev.postern.wiring;

import dev.postern.StartupException;
import dev.postern.admin.AdminAuth;
import dev.postern.admin.AdminKeyRoutes;
import dev.postern.admin.AdminRoutes;
import dev.postern.admin.AdminTrail;
import dev.postern.audit.AuditReader;
import dev.postern.config.PosternConfig;
import dev.postern.http.ApiKeyAuth;
import dev.postern.http.ApiRouter;
import dev.postern.http.DependencyFailures;
import dev.postern.http.ErrorHandler;
import dev.postern.http.EmailRoutes;
import dev.postern.http.HttpApiVerticle;
import dev.postern.http.InboxEditRoutes;
import dev.postern.http.InboxReplyRoutes;
import dev.postern.http.InboxRoutes;
import dev.postern.http.InboxStreamRoutes;
import dev.postern.http.StreamRegistry;
import dev.postern.inbound.inbox.InboxEdits;
import dev.postern.inbound.inbox.InboxQueries;
import dev.postern.inbound.inbox.InboxService;
import dev.postern.inbound.inbox.MailChange;
import dev.postern.inbound.inbox.MailChangeFeed;
import dev.postern.http.PingRoutes;
import dev.postern.http.QuotaSteps;
import dev.postern.http.RequestAudit;
import dev.postern.http.RouteGroup;
import dev.postern.keys.KeyFormat;
import dev.postern.keys.KeyIssuer;
import dev.postern.keys.KeyRepository;
import dev.postern.send.OutboundRepository;
import dev.postern.send.SendRequestParser;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: the Resend-compatible send routes, the inbox, _ping, and the admin API under
 * /admin/v1.
 */
public final class HttpApiModule implements Feature {

  private static final Logger log = LoggerFactory.getLogger(HttpApiModule.class);

  private final Vertx vertx;
  private final PosternConfig.Http config;
  private final List<RouteGroup> routes;
  private final ErrorHandler errors = new ErrorHandler();
  private final Core core;
  private final PrometheusMeterRegistry metrics;
  private final MailChangeFeed feed;
  private final StreamRegistry streams;
  private String deployment;
  private String feedDeployment;

  public HttpApiModule(Core core, AdminAuth admin, PrometheusMeterRegistry metrics) {
    this.vertx = core.vertx();
    this.config = core.config().http();
    this.core = core;
    this.metrics = metrics;
    errors.register(new DependencyFailures());
    Pool pool = core.database().pool();
    AdminTrail trail = new AdminTrail(core.audit(), core.clock());
    ApiKeyAuth apiKeys = new ApiKeyAuth(core.authenticator(), core.lastUsed(),
        new RequestAudit(core.audit(), core.clock()));
    QuotaSteps quotas = new QuotaSteps(core.quotas());
    KeyRepository keys = new KeyRepository(pool);
    KeyIssuer issuer = new KeyIssuer(new KeyFormat(core.config().keys().prefix()), keys,
        core.vault(), core.cpu(), core.authenticator()::invalidate);
    InboxQueries inboxQueries = new InboxQueries(pool);
    InboxService inbox = new InboxService(inboxQueries, core.blobs());
    PosternConfig.Inbox inboxSettings = core.config().inbox();
    this.feed = new MailChangeFeed(vertx, pool);
    this.streams = new StreamRegistry(inboxSettings.streamsPerKey(), inboxSettings.streamsPerNode(),
        core.authenticator());
    // Another node's store commits a change: read it for this node's streams. The key channel's
    // first handler (Core's) drops the changed key from the cache before this one re-checks.
    core.signals().listen(MailChange.NOTIFY_CHANNEL, feed::wakeNotified, v -> feed.wakeAll());
    core.signals().listen(KeyRepository.CHANGES_CHANNEL, p -> streams.recheckKeys(),
        v -> streams.recheckKeys());
    this.routes = List.of(
        new AdminRoutes(admin, trail, new AuditReader(pool), core.domains(), core.mailboxes(),
            core.webhooks()),
        new PingRoutes(apiKeys, quotas),
        new AdminKeyRoutes(admin, issuer, core.sealedRows(), keys, core.config().keys().defaultRateLimitPerHour(),
            trail, core.clock()),
        new EmailRoutes(apiKeys, quotas, core.submissions(),
            new OutboundRepository(pool, core.queue()), new SendRequestParser(core.clock()),
            core.cpu()),
        new InboxRoutes(apiKeys, quotas, inbox),
        new InboxEditRoutes(apiKeys, quotas, inbox, new InboxEdits(core.mailStore(), inboxQueries)),
        new InboxReplyRoutes(apiKeys, inbox, core.submissions(), new SendRequestParser(core.clock())),
        new InboxStreamRoutes(apiKeys, quotas, inbox, feed, streams, inboxSettings, core.clock()));
  }

  @Override
  public Future<Void> start() {
    int instances = config.instances() > 0 ? config.instances()
        : Runtime.getRuntime().availableProcessors();
    long sweep = core.config().inbox().streamHeartbeat().toMillis();
    return vertx.deployVerticle(new VerticleBase() {
          @Override
          public Future<?> start() {
            return feed.start(sweep);
          }
        })
        .onSuccess(id -> feedDeployment = id)
        .compose(feedId -> vertx.deployVerticle(() -> new HttpApiVerticle(config, v -> ApiRouter.create(v,
                config.maxBodyBytes(), core.readiness(), metrics, errors, routes)),
            new DeploymentOptions().setInstances(instances))
        .recover(e -> Future.failedFuture(new StartupException("HTTP port " + config.host() + ":"
            + config.port() + " (POSTERN_HTTP_PORT): " + e.getMessage())))
        .onSuccess(id -> {
          deployment = id;
          log.info("HTTP API listening on {}:{} ({} instances)", config.host(), config.port(),
              instances);
        }))
        .mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    // Open streams would otherwise hold the server's shutdown grace period to its end.
    streams.endAll();
    return vertx.undeploy(deployment)
        .compose(v -> feedDeployment == null ? Future.succeededFuture() : vertx.undeploy(feedDeployment));
  }
}
