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
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: the Resend-compatible send routes, _ping, and the admin API under /admin/v1 —
 * over HTTPS when {@code http.tls} is on. With {@code admin.port} set, the admin API,
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
  private String deployment;
  private String adminDeployment;

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
    this.adminRoutes = List.of(
        new AdminRoutes(admin, trail, new AuditReader(pool), core.domains(), core.mailboxes(),
            core.webhooks()),
        new AdminKeyRoutes(admin, issuer, core.sealedRows(), keys, core.config().keys().defaultRateLimitPerHour(),
            trail, core.clock()));
    this.apiRoutes = List.of(
        new PingRoutes(apiKeys, quotas),
        new EmailRoutes(apiKeys, quotas, core.submissions(),
            new OutboundRepository(pool, core.queue()), new SendRequestParser(core.clock()),
            core.cpu()));
  }

  @Override
  public Future<Void> start() {
    int instances = config.instances() > 0 ? config.instances()
        : Runtime.getRuntime().availableProcessors();
    PosternConfig.AdminListener admin = core.config().admin();
    boolean separate = admin.separate();
    List<RouteGroup> onApi = separate ? apiRoutes
        : java.util.stream.Stream.concat(adminRoutes.stream(), apiRoutes.stream()).toList();
    // Reading the PEM files, or generating the self-signed pair at first start, blocks.
    return vertx.executeBlocking(() -> apiListener(core.config()), false)
        .compose(listener -> vertx.deployVerticle(() -> new HttpApiVerticle(config, listener,
                v -> ApiRouter.create(v, config.maxBodyBytes(), core.readiness(),
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
            HttpListener.plain(admin.host(), admin.port()),
            v -> ApiRouter.create(v, config.maxBodyBytes(), core.readiness(), metrics, errors,
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
    Future<Void> admin = adminDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(adminDeployment);
    return admin.eventually(() -> deployment == null ? Future.succeededFuture()
        : vertx.undeploy(deployment));
  }
}
