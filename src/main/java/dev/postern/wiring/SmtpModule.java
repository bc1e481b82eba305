package dev.postern.wiring;

import dev.postern.StartupException;
import dev.postern.config.PosternConfig;
import dev.postern.smtp.codec.SmtpServerDecoder;
import dev.postern.smtp.server.ConnectionLimits;
import dev.postern.smtp.server.SmtpListener;
import dev.postern.smtp.server.SmtpMetrics;
import dev.postern.smtp.server.SmtpServerVerticle;
import dev.postern.smtp.server.SmtpTlsMaterial;
import dev.postern.smtp.session.AuditLogSessionAudit;
import dev.postern.smtp.session.AuthThrottle;
import dev.postern.smtp.session.CidrMap;
import dev.postern.smtp.session.KeyCheck;
import dev.postern.smtp.session.LanShimPolicy;
import dev.postern.smtp.session.ListenerPolicy;
import dev.postern.smtp.session.MxPolicy;
import dev.postern.smtp.session.QuotaPeek;
import dev.postern.smtp.session.SessionLimits;
import dev.postern.smtp.session.SessionSetup;
import dev.postern.smtp.session.SmtpServices;
import dev.postern.smtp.session.SmtpSession;
import dev.postern.smtp.session.SubmissionPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP server (SPEC §5): submission with STARTTLS, implicit TLS, the LAN shim and the inbound
 * MX, each on when its port is set. Submission sessions reach the core through the same services
 * as REST: the key authenticator, the quotas, the one accept path ({@link SmtpSubmissionSink})
 * and the audit log; MX sessions check recipients and commit through the inbound accept path
 * ({@link SmtpMxSink}).
 */
public final class SmtpModule implements Feature {

  private static final Logger log = LoggerFactory.getLogger(SmtpModule.class);

  private final Vertx vertx;
  private final PosternConfig.Smtp config;
  private final List<SmtpListener> listeners;
  private final SmtpServerVerticle.Sessions sessions;
  private final PosternConfig fullConfig;
  private final SmtpMetrics metrics;
  private final ConnectionLimits limits;
  private String deployment;

  public SmtpModule(Core core, MeterRegistry registry) {
    this.vertx = core.vertx();
    this.fullConfig = core.config();
    this.config = core.config().smtp();
    this.listeners = SmtpListener.configured(config);
    this.metrics = new SmtpMetrics(registry);
    this.limits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerAddress());
    KeyCheck keys = new KeyCheck() {
      @Override
      public Future<dev.postern.auth.AuthenticatedKey> verify(String presentedKey) {
        return core.authenticator().verify(presentedKey);
      }

      @Override
      public Future<dev.postern.auth.AuthenticatedKey> byId(UUID keyId) {
        return core.authenticator().byId(keyId);
      }
    };
    AuditLogSessionAudit audit = new AuditLogSessionAudit(core.audit(), core.clock());
    AuthThrottle throttle = AuthThrottle.defaults(core.clock());
    SmtpServices services = new SmtpServices(keys, core.quotas()::peekSends,
        new SmtpSubmissionSink(core.submissions()), audit, throttle);
    // The MX: no key, no quota; its DATA goes to the inbound accept path.
    SmtpServices mxServices = new SmtpServices(keys, QuotaPeek.none(),
        new SmtpMxSink(core.inbound()), audit, throttle);
    SessionLimits sessionLimits = new SessionLimits(config.maxRecipients(),
        config.maxMessageBytes(), config.maxAuthFailures(), 256 * 1024);
    Map<String, ListenerPolicy> policies = Map.of(
        SmtpListener.SUBMISSION, new SubmissionPolicy(true),
        SmtpListener.SMTPS, new SubmissionPolicy(false),
        SmtpListener.LAN, new LanShimPolicy(lanNetworks(config.lan()), keys, config.lan().rewriteFrom()),
        SmtpListener.MX, new MxPolicy(core.inbound()::check));
    this.sessions = (listener, client, implicitTls) -> new SmtpSession(
        new SessionSetup(client, implicitTls, config.serverName(), sessionLimits, vertx, core.clock()),
        policies.get(listener.name()), SmtpListener.MX.equals(listener.name()) ? mxServices : services);
  }

  @Override
  public Future<Void> start() {
    if (listeners.isEmpty()) {
      log.info("SMTP: no listener configured");
      return Future.succeededFuture();
    }
    int instances = config.instances() > 0 ? config.instances()
        : Runtime.getRuntime().availableProcessors();
    boolean tlsUsed = listeners.stream().anyMatch(SmtpListener::tlsAvailable);
    // Reading PEM files, generating the self-signed pair at first start and building the
    // STARTTLS context (file reads, JCA start-up: seconds on a loaded machine) all block.
    return vertx.executeBlocking(() -> tlsUsed ? Tls.load(fullConfig) : Tls.NONE, false)
        .compose(tls -> vertx.deployVerticle(() -> new SmtpServerVerticle(listeners, tls.material(),
                tls.startTls(), sessions, SmtpModule::decoder, limits,
                metrics, config.idleTimeout(), config.sessionTimeout(), config.shutdownGrace()),
            new DeploymentOptions().setInstances(instances)))
        .recover(e -> Future.failedFuture(e instanceof StartupException ? e
            : new StartupException(e.getMessage()
                + " (POSTERN_SMTP_PORT / POSTERN_SMTPS_PORT / POSTERN_SMTP_LAN_PORT / POSTERN_MX_PORT)")))
        .onSuccess(id -> {
          deployment = id;
          listeners.forEach(l -> log.info("SMTP {} listening on {}:{}{}", l.name(), l.host(),
              l.port(), l.implicitTls() ? " (implicit TLS)" : l.tlsAvailable() ? " (STARTTLS)" : ""));
        })
        .mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
  }

  /** The certificate and the STARTTLS context built from it, or none when no listener uses TLS. */
  private record Tls(SmtpTlsMaterial material, SslContext startTls) {
    static final Tls NONE = new Tls(null, null);

    static Tls load(PosternConfig config) {
      SmtpTlsMaterial material = SmtpTlsMaterial.load(config);
      return new Tls(material, material.startTlsContext());
    }
  }

  private static SmtpServerDecoder decoder(SmtpListener listener) {
    return new SmtpServerDecoder(SmtpServerDecoder.Limits.DEFAULT,
        listener.bareNewlines() == PosternConfig.BareNewlines.NORMALIZE
            ? SmtpServerDecoder.BareNewlines.NORMALIZE : SmtpServerDecoder.BareNewlines.REJECT);
  }

  private static CidrMap<UUID> lanNetworks(PosternConfig.Lan lan) {
    Map<String, String> networks = new LinkedHashMap<>();
    lan.networks().forEach(n -> networks.put(n.cidr(), n.keyId()));
    try {
      return CidrMap.parse(networks).mapValues(UUID::fromString);
    } catch (IllegalArgumentException e) {
      throw new StartupException("smtp.lan.networks (POSTERN_SMTP_LAN_NETWORKS): " + e.getMessage()
          + " (each entry is a network in CIDR notation and the id of an API key)");
    }
  }
}
