package dev.postern;

import dev.postern.config.ConfigError;
import dev.postern.config.ConfigLoader;
import dev.postern.config.PosternConfig;
import dev.postern.http.GatewayMetricsFactory;
import dev.postern.keys.MasterSecrets;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** Runs the gateway until SIGTERM or SIGINT, then shuts it down gracefully and exits 0. */
@Command(name = "serve", description = "Run the gateway (the default command).")
final class ServeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = {"-c", "--config"}, description = "Configuration file (default: $POSTERN_CONFIG, "
      + "else the built-in conf/default.json).")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    PosternConfig config;
    try {
      config = loadConfig(configFile);
    } catch (ConfigError e) {
      e.problems().forEach(p -> System.err.println("postern: invalid configuration: " + p));
      return 2;
    }
    GeneratedSecrets.Resolved secrets;
    try {
      Files.createDirectories(config.dataDir());
      secrets = GeneratedSecrets.resolve(config);
    } catch (java.io.IOException e) {
      System.err.println("postern: data directory " + config.dataDir() + " is not writable ("
          + e.getClass().getSimpleName() + ")");
      return 1;
    }
    MasterSecrets masters;
    try {
      masters = MasterSecrets.parse(secrets.masterSecret());
    } catch (MasterSecrets.InvalidMasterSecretException e) {
      e.problems().forEach(p -> System.err.println(
          "postern: invalid configuration: secrets.master_secret (POSTERN_MASTER_SECRET): " + p));
      return 2;
    }
    if (secrets.adminTokenCreated()) {
      // Printed exactly once, on the start that generated it; also kept in the data directory.
      System.out.println("postern: generated admin token (stored in "
          + config.dataDir().resolve("secrets/admin-token") + "): " + secrets.adminToken());
    }

    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .withMetrics(new GatewayMetricsFactory(metrics, new MicrometerMetricsFactory(metrics)))
        .build();

    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, config, Clock.systemUTC(), masters, secrets.adminToken(),
          metrics).await();
    } catch (StartupException e) {
      System.err.println("postern: cannot start: " + e.getMessage());
      vertx.close().await();
      return 1;
    } catch (Exception e) {
      log.error("start-up failed", e);
      System.err.println("postern: cannot start: " + e);
      vertx.close().await();
      return 1;
    }
    log.info("postern ready (deployment={}, data={})", config.deployment().name().toLowerCase(),
        config.dataDir().toAbsolutePath());

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean signalled = new AtomicBoolean();
    // Runs on the JVM's signal thread, never an event loop, so it may wait for each step.
    Runnable shutdown = () -> {
      if (!signalled.compareAndSet(false, true)) {
        return;
      }
      try {
        gateway.stop().await();
      } catch (Exception e) {
        log.warn("shutdown: {}", e.toString());
      }
      try {
        vertx.close().await();
      } finally {
        stopped.countDown();
      }
    };
    // SIGTERM/SIGINT: our own handler, so the JVM exits 0 after a clean stop instead of 143.
    Signal.handle(new Signal("TERM"), s -> shutdown.run());
    Signal.handle(new Signal("INT"), s -> shutdown.run());
    // Any other exit path: never leave the embedded PostgreSQL running.
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::stopEmbeddedDatabaseNow, "postern-exit"));

    stopped.await();
    return 0;
  }

  static PosternConfig loadConfig(Path file) {
    Path chosen = file;
    if (chosen == null) {
      String fromEnv = System.getenv("POSTERN_CONFIG");
      chosen = fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }
    return ConfigLoader.load(chosen, System.getenv());
  }
}
