package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Migrations;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.support.Eventually;
import dev.postern.support.PgFixture;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 item 8 over real sockets: webhook URLs that resolve to loopback, private or
 * metadata addresses are refused when the attempt connects (the refusal is the attempt's
 * error), unless the operator opts out; the connection goes to the address that was checked,
 * with the URL's name in the Host header, so a second DNS answer cannot redirect it.
 */
class WebhookTargetsIT {

  private static Vertx vertx;
  private static HttpServer endpoint;
  private static final List<String> hosts = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    endpoint = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
      hosts.add(request.path() + " " + request.getHeader("Host"));
      request.response().end("ok");
    }));
    endpoint.listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static String url(String host, String path) {
    return "http://" + host + ":" + endpoint.actualPort() + path;
  }

  private static WebhookDeliveries.Attempt post(WebhookSettings settings,
      WebhookTargets.Resolver resolver, String url) {
    WebhookSender sender = new WebhookSender(vertx, settings, resolver);
    try {
      return sender.post(url, Buffer.buffer("{}"), Map.of()).await();
    } finally {
      sender.close().await();
    }
  }

  private static List<String> arrived(String path) {
    return hosts.stream().filter(h -> h.startsWith(path + " ")).toList();
  }

  @Test
  void loopbackTargetsAreRefusedByDefault() {
    WebhookSettings defaults = WebhookSettings.defaults();
    WebhookDeliveries.Attempt byAddress = post(defaults, WebhookTargets.SYSTEM,
        url("127.0.0.1", "/by-address"));
    WebhookDeliveries.Attempt byName = post(defaults, WebhookTargets.SYSTEM,
        url("localhost", "/by-name"));
    // Positive control: the same endpoint answers once the opt-out is on.
    WebhookDeliveries.Attempt allowed = post(defaults.withPrivateTargets(true),
        WebhookTargets.SYSTEM, url("127.0.0.1", "/allowed"));

    assertThat(allowed.responseCode()).isEqualTo(200);
    assertThat(arrived("/allowed")).hasSize(1);
    assertThat(byAddress.responseCode()).isNull();
    assertThat(byAddress.error()).isEqualTo("refused: 127.0.0.1 resolves to a loopback address"
        + " (127.0.0.1); webhooks.allow_private_targets permits it");
    assertThat(byName.responseCode()).isNull();
    assertThat(byName.error()).startsWith("refused: localhost resolves to a loopback address");
    assertThat(arrived("/by-address")).isEmpty();
    assertThat(arrived("/by-name")).isEmpty();
  }

  @Test
  void everyAddressOfTheAnswerIsChecked() {
    WebhookTargets.Resolver mixed = host -> new InetAddress[] {
        InetAddress.getByName("93.184.216.34"), InetAddress.getByName("169.254.169.254")};
    WebhookDeliveries.Attempt attempt = post(WebhookSettings.defaults(), mixed,
        url("hooks.example.test", "/mixed"));
    assertThat(attempt.error()).isEqualTo("refused: hooks.example.test resolves to a cloud"
        + " metadata address (169.254.169.254); webhooks.allow_private_targets permits it");
  }

  @Test
  void theConnectionGoesToTheCheckedAddressWithTheNameInTheHostHeader() {
    // The name exists only in this resolver; the system's DNS would not find it. A client that
    // looked the name up again when connecting could not reach the endpoint.
    AtomicInteger lookups = new AtomicInteger();
    WebhookTargets.Resolver once = host -> {
      lookups.incrementAndGet();
      if (!host.equals("rebind.example.test")) {
        throw new UnknownHostException(host);
      }
      return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
    };
    WebhookDeliveries.Attempt attempt = post(WebhookSettings.defaults().withPrivateTargets(true),
        once, url("rebind.example.test", "/rebind"));

    assertThat(attempt.responseCode()).isEqualTo(200);
    assertThat(arrived("/rebind"))
        .containsExactly("/rebind rebind.example.test:" + endpoint.actualPort());
    assertThat(lookups).hasValue(1);
  }

  @Test
  void theRefusalIsTheAttemptsRecordedError() {
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    WorkerExecutor cpu = vertx.createSharedWorkerExecutor("test-cpu", 2);
    KeyVault vault = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));
    WebhookDispatcher dispatcher = null;
    try {
      Migrations.fromClasspath().apply(pool).await();
      dispatcher = new WebhookDispatcher(vertx, pool,
          new WebhookDeliveries(pool, "node-" + UUID.randomUUID()), vault, cpu, Clock.systemUTC(),
          WebhookDispatcherIT.FAST.withPrivateTargets(false));
      dispatcher.start().await();
      UUID domain = WebhookRows.domain(pool, "targets.example");
      WebhookRows.Webhook hook = WebhookRows.insert(pool, vault, url("127.0.0.1", "/recorded"),
          List.of("*"), domain);
      dispatcher.emit(WebhookEvents.EMAIL_SENT, domain, WebhookDispatcherIT.email("em_t")).await();

      Eventually.untilAsserted(Duration.ofSeconds(10), () -> assertThat(attempts(pool, hook.id()))
          .isNotEmpty());
      Row first = attempts(pool, hook.id()).get(0);
      assertThat(first.getInteger("response_code")).isNull();
      assertThat(first.getString("error")).startsWith("refused: 127.0.0.1 resolves to a loopback");
      assertThat(arrived("/recorded")).isEmpty();
    } finally {
      if (dispatcher != null) {
        dispatcher.stop().await();
      }
      cpu.close().await();
      pool.close().await();
    }
  }

  private static List<Row> attempts(Pool pool, UUID webhookId) {
    List<Row> rows = new ArrayList<>();
    pool.preparedQuery("""
            SELECT a.response_code, a.error FROM webhook_attempts a
              JOIN webhook_deliveries d ON d.id = a.delivery_id
             WHERE d.webhook_id = $1 ORDER BY a.id""")
        .execute(Tuple.of(webhookId)).await().forEach(rows::add);
    return rows;
  }
}
