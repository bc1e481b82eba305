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
import dev.postern.http.AuthFailures;
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
import dev.postern.http.HttpEdge;
import dev.postern.http.HttpListener;
import dev.postern.http.PingRoutes;
import dev.postern.http.QuotaSteps;
import dev.postern.http.RequestAudit;
import dev.postern.http.RouteGroup;
import dev.postern.keys.KeyFormat;
import dev.postern.keys.KeyIssuer;
import dev.postern.keys.KeyRepository;
import dev.postern.send.OutboundRepository;
import dev.postern.send.SendRequestParser;
import dev.postern.tls.PemCertificate;
import io.micrometer.core.instrument.Gauge;
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
 * /admin/v1 — over HTTPS when {@code http.tls} is on. With {@code admin.port} set, the admin API,
 * {@code /metrics} and the detail of {@code /readyz} move to a second, plain-HTTP listener on a
 * loopback address (issue #15 item 5).
 */
public final class HttpApiModule implements Feature {

  private static final Logger log = LoggerFactory.getLogger(HttpApiModule.class);

  private final Vertx vertx;
  private final PosternConfig.Http config;
  private final List<RouteGroup> apiRoutes;
  private final List<RouteGroup> adminRoutes;
  private final ErrorHandler errors = new ErrorHandler();
  private final Core core;
  private final PrometheusMeterRegistry metrics;
  private final MailChangeFeed feed;
  private final StreamRegistry streams;
  private String deployment;
  private final HttpEdge edge;
  private String feedDeployment;
  private String adminDeployment;

  public HttpApiModule(Core core, AdminAuth unguarded, PrometheusMeterRegistry metrics) {
    this.vertx = core.vertx();
    this.config = core.config().http();
    this.edge = new HttpEdge(config);
    this.core = core;
    this.metrics = metrics;
    errors.register(new DependencyFailures());
    Pool pool = core.database().pool();
    AdminTrail trail = new AdminTrail(core.audit(), core.clock());
    AuthFailures failures = new AuthFailures(config.maxAuthFailuresPerMinute(), core.audit(),
        core.clock(), edge.addresses());
    AdminAuth admin = unguarded.withFailures(failures);
    ApiKeyAuth apiKeys = new ApiKeyAuth(core.authenticator(), core.lastUsed(),
        new RequestAudit(core.audit(), core.clock(), edge.addresses()), failures);
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
    Gauge.builder("postern_inbox_streams_open", streams, StreamRegistry::open).strongReference(true)
        .description("live inbox streams (GET /v1/inbox/stream) open on this node").register(metrics);
    Gauge.builder("postern_inbox_streams_unsent_bytes", streams, StreamRegistry::unsentBytes)
        .strongReference(true).baseUnit("bytes")
        .description("event octets written to this node's live streams that their sockets have not taken")
        .register(metrics);
    // Another node's store commits a change: read it for this node's streams. The key channel's
    // first handler (Core's) drops the changed key from the cache before this one re-checks.
    core.signals().listen(MailChange.NOTIFY_CHANNEL, feed::wakeNotified, v -> feed.wakeAll());
    core.signals().listen(KeyRepository.CHANGES_CHANNEL, p -> streams.recheckKeys(),
        v -> streams.recheckKeys());
    this.adminRoutes = List.of(
        new AdminRoutes(admin, trail, new AuditReader(pool), core.domains(), core.mailboxes(),
            core.webhooks()),
        new AdminKeyRoutes(admin, issuer, core.sealedRows(), keys, core.config().keys().defaultRateLimitPerHour(),
            trail, core.clock()));
    this.apiRoutes = List.of(
        new PingRoutes(apiKeys, quotas),
        new EmailRoutes(apiKeys, quotas, core.submissions(),
            new OutboundRepository(pool, core.queue()), new SendRequestParser(core.clock()),
            core.cpu()),
        new InboxRoutes(apiKeys, quotas, inbox, inboxSettings.listCacheBytes()),
        new InboxEditRoutes(apiKeys, quotas, inbox, new InboxEdits(core.mailStore(), inboxQueries)),
        new InboxReplyRoutes(apiKeys, inbox, core.submissions(), new SendRequestParser(core.clock())),
        new InboxStreamRoutes(apiKeys, quotas, inbox, feed, streams, inboxSettings, core.clock()));
  }

  @Override
  public Future<Void> start() {
    int instances = config.instances() > 0 ? config.instances()
        : Runtime.getRuntime().availableProcessors();
    long sweep = core.config().inbox().streamHeartbeat().toMillis();
    PosternConfig.AdminListener admin = core.config().admin();
    boolean separate = admin.separate();
    // The API's routes first: vertx-web tries routes in order, and a request for /v1/… would
    // otherwise be matched against every /admin/v1/… pattern (a regex each) before its own.
    List<RouteGroup> onApi = separate ? apiRoutes
        : java.util.stream.Stream.concat(apiRoutes.stream(), adminRoutes.stream()).toList();
    return vertx.deployVerticle(new VerticleBase() {
          @Override
          public Future<?> start() {
            return feed.start(sweep);
          }
        })
        .onSuccess(id -> feedDeployment = id)
        // Reading the PEM files, or generating the self-signed pair at first start, blocks.
        .compose(feedId -> vertx.executeBlocking(() -> apiListener(core.config()), false))
        .compose(listener -> vertx.deployVerticle(() -> new HttpApiVerticle(config, listener, edge,
                v -> ApiRouter.create(v, config.maxBodyBytes(), edge, core.readiness(),
                    separate ? null : metrics, errors, onApi, !separate)),
            new DeploymentOptions().setInstances(instances))
            .recover(e -> Future.failedFuture(e instanceof StartupException ? e
                : new StartupException("HTTP port " + config.host() + ":" + config.port()
                    + " (POSTERN_HTTP_PORT): " + e.getMessage())))
            .onSuccess(id -> {
              deployment = id;
              log.info("HTTP API listening on {}:{} ({}, {} instances)", config.host(),
                  config.port(), listener.https() ? "HTTPS" : "plain HTTP", instances);
            }))
        .compose(id -> separate ? startAdmin(admin) : Future.succeededFuture())
        .mapEmpty();
  }

  /** One instance: admin traffic is light, and it must not share the API's event loops' load. */
  private Future<Void> startAdmin(PosternConfig.AdminListener admin) {
    return vertx.deployVerticle(() -> new HttpApiVerticle(config,
            HttpListener.plain(admin.host(), admin.port()), edge,
            v -> ApiRouter.create(v, config.maxBodyBytes(), edge, core.readiness(), metrics, errors,
                adminRoutes, true)), new DeploymentOptions().setInstances(1))
        .recover(e -> Future.failedFuture(new StartupException("admin port " + admin.host() + ":"
            + admin.port() + " (POSTERN_ADMIN_PORT): " + e.getMessage())))
        .onSuccess(id -> {
          adminDeployment = id;
          log.info("admin API, /metrics and /readyz detail listening on {}:{}", admin.host(),
              admin.port());
        })
        .mapEmpty();
  }

  /** Blocking: the API listener, with its certificate when {@code http.tls} is on. */
  private static HttpListener apiListener(PosternConfig config) {
    PosternConfig.Http http = config.http();
    PosternConfig.HttpTls tls = config.httpTls();
    if (!tls.enabled()) {
      return HttpListener.plain(http.host(), http.port());
    }
    PemCertificate pem = tls.certFile() != null
        ? PemCertificate.files(tls.certFile(), tls.keyFile(), "HTTP TLS file",
            "http.tls_cert_file / http.tls_key_file")
        : PemCertificate.selfSigned(config.dataDir().resolve("tls"), "http",
            config.smtp().serverName());
    return new HttpListener(http.host(), http.port(), pem.keyCert());
  }

  @Override
  public Future<Void> stop() {
    // Open streams would otherwise hold the server's shutdown grace period to its end.
    streams.endAll();
    Future<Void> admin = adminDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(adminDeployment);
    return admin.eventually(() -> deployment == null ? Future.succeededFuture()
        : vertx.undeploy(deployment))
        .eventually(() -> feedDeployment == null ? Future.succeededFuture()
            : vertx.undeploy(feedDeployment));
  }
}
