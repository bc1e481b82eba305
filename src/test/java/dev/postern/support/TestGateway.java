package dev.postern.support;

import dev.postern.Gateway;
import dev.postern.StartupException;
import dev.postern.config.ConfigLoader;
import dev.postern.config.PosternConfig;
import dev.postern.keys.MasterSecrets;
import dev.postern.wiring.Core;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A whole gateway in the test JVM on a fresh database, a temporary data directory and a free
 * port, configured exactly as an operator would (environment-style settings), plus a small HTTP
 * client for tests. Several may share one database (pass {@code POSTERN_PG_URL}) to act as nodes.
 */
public final class TestGateway implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final Vertx vertx;
  private final Gateway gateway;
  private final PosternConfig config;
  private final String adminToken;
  private final String masterSecret;
  private final Path dataDir;

  private TestGateway(Vertx vertx, Gateway gateway, PosternConfig config, String adminToken,
      String masterSecret, Path dataDir) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.config = config;
    this.adminToken = adminToken;
    this.masterSecret = masterSecret;
    this.dataDir = dataDir;
  }

  /**
   * The value of {@code POSTERN_PG_URL} in the overrides that asks for the product's default: the
   * gateway starts its own embedded PostgreSQL in its data directory (slower: seconds per start).
   */
  public static final String EMBEDDED = "embedded";

  public static TestGateway start() {
    return start(Map.of());
  }

  /** @param overrides environment-style settings (e.g. POSTERN_REDIS_URL) over the test defaults */
  public static TestGateway start(Map<String, String> overrides) {
    return start(overrides, null);
  }

  /**
   * @param conf an operator configuration file's content (e.g. {@code delivery} tuning), or null
   */
  public static TestGateway start(Map<String, String> overrides, JsonObject conf) {
    return start(overrides, conf, Clock.systemUTC());
  }

  /**
   * @param clock the clock the whole gateway reads (a {@link ManualClock} to move time by hand;
   *     PostgreSQL's own {@code now()} still follows the wall clock)
   */
  public static TestGateway start(Map<String, String> overrides, JsonObject conf, Clock clock) {
    Map<String, String> settings = new HashMap<>(overrides);
    settings.computeIfAbsent("POSTERN_PG_URL", k -> PgFixture.freshDatabaseUrl());
    if (EMBEDDED.equals(settings.get("POSTERN_PG_URL"))) {
      settings.remove("POSTERN_PG_URL");
    }
    // The HTTP port is one that was free when asked; another build on this machine may bind it
    // first. Then the fixture asks again (never when the test chose the port itself).
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(settings, conf, clock);
      } catch (StartupException e) {
        boolean portTaken = String.valueOf(e.getMessage()).contains("Address already in use");
        if (!portTaken || overrides.containsKey("POSTERN_HTTP_PORT") || attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static TestGateway startOnce(Map<String, String> overrides, JsonObject conf,
      Clock clock) {
    try {
      Path dataDir = overrides.containsKey("POSTERN_DATA_DIR")
          ? Path.of(overrides.get("POSTERN_DATA_DIR")) : Files.createTempDirectory("postern-test-");
      Map<String, String> env = new HashMap<>();
      env.put("POSTERN_DATA_DIR", dataDir.toString());
      env.put("POSTERN_HTTP_HOST", "127.0.0.1");
      env.put("POSTERN_HTTP_PORT", Integer.toString(FreePort.next()));
      env.put("POSTERN_HTTP_INSTANCES", "2");
      // Every test client is 127.0.0.1: tests that walk through many refused credentials must
      // not trip the per-address throttle of failed attempts (AuthThrottleIT sets its own).
      env.put("POSTERN_HTTP_MAX_AUTH_FAILURES_PER_MINUTE", "100000");
      // SMTP listeners are off unless a test asks for them (then on ports it chose).
      env.put("POSTERN_SMTP_PORT", "0");
      env.put("POSTERN_SMTPS_PORT", "0");
      env.put("POSTERN_MX_PORT", "0");
      env.put("POSTERN_ADMIN_TOKEN", "admin-" + UUID.randomUUID());
      env.put("POSTERN_MASTER_SECRET", MasterSecrets.generate());
      // Tests' webhook receivers listen on 127.0.0.1, which webhooks may not reach by default
      // (issue #15 item 8): the operator opt-out, set explicitly; a test may pass "false".
      env.put("POSTERN_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
      env.putAll(overrides);
      Path confFile = null;
      if (conf != null) {
        confFile = Files.writeString(dataDir.resolve("test-conf.json"), conf.encode());
      }
      PosternConfig config = ConfigLoader.load(confFile, env);
      Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setWarningExceptionTime(1500).setWarningExceptionTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS));
      Gateway gateway;
      try {
        gateway = Gateway.start(vertx, config, clock,
            MasterSecrets.parse(env.get("POSTERN_MASTER_SECRET")), env.get("POSTERN_ADMIN_TOKEN"),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).await();
      } catch (RuntimeException e) {
        vertx.close().await();
        throw e;
      }
      return new TestGateway(vertx, gateway, config, env.get("POSTERN_ADMIN_TOKEN"),
          env.get("POSTERN_MASTER_SECRET"), dataDir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The running gateway's adapters and services (blob store, audit log, DKIM keys, …). */
  public Core core() {
    return gateway.core();
  }

  public Vertx vertx() {
    return vertx;
  }

  public PosternConfig config() {
    return config;
  }

  /** The database's URL, the embedded server's too. */
  public String pgUrl() {
    if (config.postgres().url() != null) {
      return config.postgres().url();
    }
    var o = gateway.core().database().connectOptions();
    String password = o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + o.getPassword();
    return "postgresql://" + o.getUser() + password + "@" + o.getHost() + ":" + o.getPort()
        + "/" + o.getDatabase();
  }

  public String adminToken() {
    return adminToken;
  }

  public String masterSecret() {
    return masterSecret;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + config.http().port();
  }

  /** A request as the admin. Any API key in the response is recorded for the log scan. */
  public HttpResponse<String> admin(String method, String path, JsonObject body) {
    HttpResponse<String> response = send(method, path, body == null ? null : body.encode(),
        Map.of("Authorization", "Bearer " + adminToken));
    if (response.body().startsWith("{") && response.body().contains("\"key\"")) {
      SecretsSeen.add(new JsonObject(response.body()).getString("key"));
    }
    return response;
  }

  /** A request with an API key. */
  public HttpResponse<String> withKey(String key, String method, String path, JsonObject body) {
    return send(method, path, body == null ? null : body.encode(), Map.of("Authorization", "Bearer " + key));
  }

  public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      gateway.stop().await();
    } finally {
      vertx.close().await();
    }
  }
}
