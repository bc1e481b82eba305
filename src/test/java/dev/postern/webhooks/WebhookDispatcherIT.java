package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.postern.db.Migrations;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.support.Eventually;
import dev.postern.support.PgFixture;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue #5 item 6 on one node: Standard Webhooks signatures checked by an independent receiver,
 * retries with backoff, timeouts, attempts logged, subscriptions honoured, secrets never logged.
 * Each test works on its own domain so that tests sharing the database do not see each other.
 */
class WebhookDispatcherIT {

  static final WebhookSettings FAST = WebhookSettings.defaults()
      .withRequestTimeout(Duration.ofMillis(800))
      .withRetries(Duration.ofMillis(100), 2.0, Duration.ofMillis(400))
      .withMaxAttempts(4)
      .withPollInterval(Duration.ofMillis(200))
      // The receiver listens on 127.0.0.1: the operator opt-out of issue #15 item 8, set here.
      .withPrivateTargets(true);

  private static Vertx vertx;
  private static Pool pool;
  private static WorkerExecutor cpu;
  private static KeyVault vault;
  private static WebhookDispatcher dispatcher;
  private static WebhookReceiver receiver;
  private static ListAppender<ILoggingEvent> logs;
  private static final List<String> secrets = new ArrayList<>();

  @BeforeAll
  static void start() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
    cpu = vertx.createSharedWorkerExecutor("test-cpu", 2);
    vault = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));
    dispatcher = new WebhookDispatcher(vertx, pool,
        new WebhookDeliveries(pool, "node-" + java.util.UUID.randomUUID()), vault, cpu, Clock.systemUTC(), FAST);
    dispatcher.start().await();
    receiver = WebhookReceiver.start();
  }

  @AfterAll
  static void stop() {
    dispatcher.stop().await();
    receiver.close();
    pool.close().await();
    vertx.close().await();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  private static WebhookRows.Webhook webhook(String path, List<String> events, UUID domainId) {
    WebhookRows.Webhook hook = WebhookRows.insert(pool, vault, receiver.url(path), events, domainId);
    receiver.expectSecret(path, hook.secret());
    secrets.add(hook.secret());
    return hook;
  }

  static JsonObject email(String id) {
    return new JsonObject().put("email_id", id).put("from", "Acme <noreply@acme.test>")
        .put("to", new io.vertx.core.json.JsonArray().add("user@example.net"))
        .put("subject", "Hello").put("created_at", "2026-11-23T10:00:00Z");
  }

  static void eventually(Duration within, Runnable assertion) {
    Eventually.untilAsserted(within, assertion::run);
  }

  private static List<Row> attempts(UUID webhookId) {
    List<Row> rows = new ArrayList<>();
    pool.preparedQuery("""
            SELECT a.response_code, a.error, a.duration_ms, d.status, d.attempts
              FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
             WHERE d.webhook_id = $1 ORDER BY a.id""")
        .execute(Tuple.of(webhookId)).await().forEach(rows::add);
    return rows;
  }

  private static long deliveries(UUID webhookId) {
    return pool.preparedQuery("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1")
        .execute(Tuple.of(webhookId)).await().iterator().next().getLong(0);
  }

  private static List<String> emailIds(String path) {
    return receiver.received(path).stream()
        .map(r -> r.json().getJsonObject("data").getString("email_id")).toList();
  }

  @Test
  void deliveredOnceOn200WithAValidSignature() {
    UUID domain = WebhookRows.domain(pool, "ok.example");
    WebhookRows.Webhook hook = webhook("/ok", List.of("email.delivered"), domain);
    dispatcher.emit(WebhookEvents.EMAIL_DELIVERED, domain, email("em_1")).await();

    eventually(Duration.ofSeconds(10), () -> assertThat(receiver.received("/ok")).hasSize(1));
    WebhookReceiver.Received got = receiver.received("/ok").get(0);
    assertThat(got.signatureValid()).as(got.toString()).isTrue();
    assertThat(got.id()).startsWith("msg_");
    assertThat(Long.parseLong(got.timestamp())).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(30L));
    assertThat(got.json().getString("type")).isEqualTo("email.delivered");
    assertThat(got.json().getString("created_at")).isNotBlank();
    assertThat(got.json().getJsonObject("data")).isEqualTo(email("em_1"));
    // Someone changing one byte of the body would not verify: the receiver's check is real.
    assertThat(WebhookReceiver.verifies(hook.secret(), got.id(), got.timestamp(), got.signature(),
        got.body().replace("em_1", "em_2").getBytes())).isFalse();

    eventually(Duration.ofSeconds(5), () -> assertThat(attempts(hook.id())).singleElement()
        .satisfies(row -> {
          assertThat(row.getInteger("response_code")).isEqualTo(200);
          assertThat(row.getString("status")).isEqualTo("delivered");
          assertThat(row.getInteger("duration_ms")).isNotNull();
        }));
    // A later event for the same webhook, sent and settled, proves the loop claimed again after
    // em_1 was settled: a second copy of em_1 would have been claimed by then.
    dispatcher.emit(WebhookEvents.EMAIL_DELIVERED, domain, email("em_1_after")).await();
    eventually(Duration.ofSeconds(10), () -> assertThat(attempts(hook.id())).hasSize(2)
        .allSatisfy(row -> assertThat(row.getString("status")).isEqualTo("delivered")));
    assertThat(emailIds("/ok")).containsExactly("em_1", "em_1_after");
  }

  @Test
  void retriedAfter500ThenDeliveredWithTheSameMessageId() {
    UUID domain = WebhookRows.domain(pool, "retry.example");
    WebhookRows.Webhook hook = webhook("/retry", List.of("*"), domain);
    receiver.script("/retry", 500);
    dispatcher.emit(WebhookEvents.EMAIL_BOUNCED, domain, email("em_r")).await();

    eventually(Duration.ofSeconds(10), () -> assertThat(receiver.received("/retry")).hasSize(2));
    List<WebhookReceiver.Received> got = receiver.received("/retry");
    assertThat(got).allMatch(WebhookReceiver.Received::signatureValid);
    assertThat(got.get(1).id()).isEqualTo(got.get(0).id());
    assertThat(got.get(1).receivedAtMillis() - got.get(0).receivedAtMillis()).isGreaterThanOrEqualTo(70);
    eventually(Duration.ofSeconds(5), () -> {
      List<Row> rows = attempts(hook.id());
      assertThat(rows).extracting(r -> r.getInteger("response_code")).containsExactly(500, 200);
      assertThat(rows.get(0).getString("error")).isEqualTo("HTTP 500");
      assertThat(rows.get(1).getString("status")).isEqualTo("delivered");
    });
  }

  @Test
  void receiverThatNeverAnswersTimesOutAndIsRetried() {
    UUID domain = WebhookRows.domain(pool, "slow.example");
    WebhookRows.Webhook hook = webhook("/slow", List.of("email.sent"), domain);
    receiver.script("/slow", WebhookReceiver.HANG);
    dispatcher.emit(WebhookEvents.EMAIL_SENT, domain, email("em_s")).await();

    eventually(Duration.ofSeconds(10), () -> {
      List<Row> rows = attempts(hook.id());
      assertThat(rows).hasSize(2);
      assertThat(rows.get(0).getInteger("response_code")).isNull();
      assertThat(rows.get(0).getString("error")).contains("no complete response within 800 ms");
      assertThat(rows.get(0).getInteger("duration_ms")).isBetween(700, 5_000);
      assertThat(rows.get(1).getInteger("response_code")).isEqualTo(200);
      assertThat(rows.get(1).getString("status")).isEqualTo("delivered");
    });
  }

  @Test
  void givesUpAfterTheLastAttemptAndLogsEach() {
    UUID domain = WebhookRows.domain(pool, "down.example");
    WebhookRows.Webhook hook = webhook("/down", List.of("email.deferred"), domain);
    receiver.script("/down", 503, 500, 502, 500, 500, 500);
    dispatcher.emit(WebhookEvents.EMAIL_DEFERRED, domain, email("em_d")).await();

    eventually(Duration.ofSeconds(15), () -> {
      List<Row> rows = attempts(hook.id());
      assertThat(rows).extracting(r -> r.getInteger("response_code")).containsExactly(503, 500, 502, 500);
      assertThat(rows.get(3).getString("status")).isEqualTo("failed");
    });
    assertThat(receiver.received("/down")).hasSize(4);
  }

  @Test
  void onlySubscribedWebhooksOfTheDomainReceiveTheEvent() {
    UUID domain = WebhookRows.domain(pool, "subs.example");
    UUID otherDomain = WebhookRows.domain(pool, "other.example");
    WebhookRows.Webhook bounced = webhook("/subs-bounced", List.of("email.bounced"), domain);
    WebhookRows.Webhook other = webhook("/subs-other-domain", List.of("*"), otherDomain);
    webhook("/subs-delivered", List.of("email.sent", "email.delivered"), domain);
    WebhookRows.Webhook everyDomain = webhook("/subs-all-domains", List.of("email.delivered"), null);

    dispatcher.emit(WebhookEvents.EMAIL_DELIVERED, domain, email("em_subs")).await();
    eventually(Duration.ofSeconds(10), () -> {
      assertThat(receiver.received("/subs-delivered")).hasSize(1);
      assertThat(receiver.received("/subs-all-domains")).hasSize(1);
    });
    // Deliveries are recorded when emit completes: with none for the other two webhooks, nothing
    // can reach them later either.
    assertThat(deliveries(bounced.id())).isZero();
    assertThat(deliveries(other.id())).isZero();
    assertThat(receiver.received("/subs-bounced")).isEmpty();
    assertThat(receiver.received("/subs-other-domain")).isEmpty();
    pool.preparedQuery("UPDATE webhooks SET disabled_at = now() WHERE id = $1")
        .execute(Tuple.of(everyDomain.id())).await();
  }

  @Test
  void unknownEventTypeIsRefused() {
    assertThat(dispatcher.emit("email.opened", null, new JsonObject()).failed()).isTrue();
    assertThat(dispatcher.emit("*", null, new JsonObject()).failed()).isTrue();
  }

  @Test
  void secretsNeverReachTheLogs() {
    UUID domain = WebhookRows.domain(pool, "logs.example");
    WebhookRows.Webhook hook = webhook("/logs", List.of("email.bounced"), domain);
    receiver.script("/logs", 500, WebhookReceiver.HANG);
    dispatcher.emit(WebhookEvents.EMAIL_BOUNCED, domain, email("em_l")).await();
    eventually(Duration.ofSeconds(10), () -> assertThat(attempts(hook.id())).hasSize(3));

    assertThat(logs.list).isNotEmpty();
    for (ILoggingEvent event : logs.list) {
      String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
          : event.getThrowableProxy().getMessage());
      for (String secret : secrets) {
        assertThat(text).doesNotContain(secret).doesNotContain(secret.substring("whsec_".length()));
      }
      assertThat(text).doesNotContain("v1,");
    }
  }
}
