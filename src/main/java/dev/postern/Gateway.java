package dev.postern;

import dev.postern.admin.AdminAuth;
import dev.postern.config.PosternConfig;
import dev.postern.inbound.parse.Mime4jMailParser;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.wiring.Closers;
import dev.postern.wiring.Core;
import dev.postern.wiring.DeliveryModule;
import dev.postern.wiring.HttpApiModule;
import dev.postern.wiring.InboundModule;
import dev.postern.wiring.SmtpModule;
import dev.postern.wiring.WebhooksModule;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: the core is built once, then each feature is wired from it by its own
 * module and started in turn. Everything opened or started is pushed onto one {@link Closers}
 * stack, so a failed start and {@link #stop} both release it in reverse order.
 */
public final class Gateway {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final Core core;
  private final Closers closers;

  private Gateway(Core core, Closers closers) {
    this.core = core;
    this.closers = closers;
  }

  /**
   * Starts every component. Call from a non-event-loop thread (main): the first steps read files.
   * On failure, whatever had started is stopped again before the future fails.
   *
   * @param clock the one clock every component reads (a test may pass one it moves itself)
   */
  public static Future<Gateway> start(Vertx vertx, PosternConfig config, Clock clock,
      MasterSecrets masters, String adminToken, PrometheusMeterRegistry metrics) {
    Closers closers = new Closers();
    return Core.open(vertx, config, clock, new KeyVault(masters), closers)
        .compose(core -> wire(core, closers, new AdminAuth(adminToken), metrics))
        .recover(e -> closers.closeAll().transform(x -> Future.failedFuture(e)));
  }

  private static Future<Gateway> wire(Core core, Closers closers, AdminAuth admin,
      PrometheusMeterRegistry metrics) {
    WebhooksModule webhooks = new WebhooksModule(core);
    DeliveryModule delivery = new DeliveryModule(core);
    InboundModule inbound = new InboundModule(core, new Mime4jMailParser());
    HttpApiModule http = new HttpApiModule(core, admin, metrics);
    SmtpModule smtp = new SmtpModule(core, metrics);
    // Every feature has registered its channels: LISTEN to all of them on one connection.
    return core.signals().connect()
        .compose(v -> closers.start("webhooks", webhooks))
        .compose(v -> closers.start("delivery", delivery))
        .compose(v -> closers.start("inbound filing", inbound))
        .compose(v -> closers.start("HTTP", http))
        .compose(v -> closers.start("SMTP", smtp))
        .map(v -> {
          // Only now are all listeners bound: /readyz may say ready.
          core.readiness().markStarted();
          return new Gateway(core, closers);
        });
  }

  /** Every part of the running gateway: its adapters, services and configuration. */
  public Core core() {
    return core;
  }

  /**
   * Graceful shutdown: report not-ready, stop the SMTP listeners (a DATA in flight finishes,
   * idle sessions get 421) and the HTTP API (in-flight requests finish within their grace
   * period), then delivery and webhooks, then the core, the database last.
   * Idempotent.
   */
  public Future<Void> stop() {
    core.readiness().drain();
    return closers.closeAll().onComplete(r -> log.info("gateway stopped"));
  }

  /** Last resort from a JVM shutdown hook: never leave the embedded PostgreSQL running. */
  void stopEmbeddedDatabaseNow() {
    core.database().stopEmbeddedNow();
  }
}
