package dev.postern.webhooks;

import dev.postern.keys.KeyVault;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Webhooks (SPEC §6): {@link #emit} records one delivery per subscribed webhook; the node's
 * delivery loop (started by {@link #start()}) POSTs them signed per Standard Webhooks
 * ({@link StandardWebhookSignature}), logs every attempt, retries with exponential backoff and
 * jitter, and gives up after {@link WebhookSettings#maxAttempts()} or
 * {@link WebhookSettings#horizon()}. Safe with several nodes on one database: each delivery is
 * claimed by one node at a time.
 *
 * <p>Wiring (composition root): construct, register {@link #wake()} for {@link #CHANNEL} with
 * {@code PgSignals.listen(CHANNEL, p -> webhooks.wake(), v -> webhooks.wake())}, then
 * {@link #start()}; {@link #stop()} on shutdown before the pool closes.
 */
public final class WebhookDispatcher {

  /** NOTIFY channel raised when deliveries are inserted. */
  public static final String CHANNEL = "postern_webhooks";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final WebhookDeliveries deliveries;
  private final WebhookDeliveryVerticle loop;
  private String deployment;

  /** @param deliveries the webhook work queue (an adapter: built by the wiring) */
  public WebhookDispatcher(Vertx vertx, Pool pool, WebhookDeliveries deliveries, KeyVault vault,
      WorkerExecutor cpu, Clock clock, WebhookSettings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.deliveries = deliveries;
    this.loop = new WebhookDeliveryVerticle(deliveries, new WebhookSecrets(vault, cpu, settings.secretCacheSize()),
        settings, clock);
  }

  /** The webhook work queue this dispatcher claims from. */
  public WebhookDeliveries queue() {
    return deliveries;
  }

  /**
   * Records the event for every active webhook subscribed to {@code type} (or {@code *}) whose
   * domain is {@code domainId} or unset. Completes once the rows are committed; delivery
   * follows asynchronously.
   *
   * @param type one of {@link WebhookEvents#TYPES}
   * @param domainId the sending (or receiving) domain; null reaches only all-domain webhooks
   * @param data the event's {@code data} object (Resend's shape: email_id, from, to, subject,
   *     created_at, …), stored and sent as given
   */
  public Future<Void> emit(String type, UUID domainId, JsonObject data) {
    return emitIn(null, type, domainId, data).mapEmpty();
  }

  /**
   * As {@link #emit}, inside the caller's transaction when {@code client} is one (the event
   * then exists exactly when the state change that caused it commits; the NOTIFY is sent at
   * commit). With a null client it runs on the pool.
   *
   * @return the number of deliveries recorded
   */
  public Future<Integer> emitIn(SqlClient client, String type, UUID domainId, JsonObject data) {
    if (!WebhookEvents.TYPES.contains(type)) {
      return Future.failedFuture(new IllegalArgumentException("unknown webhook event type: " + type));
    }
    Objects.requireNonNull(data, "data");
    return deliveries.insert(client == null ? pool : client, type, domainId, payload(type, data))
        .onSuccess(n -> {
          if (n > 0 && client == null) {
            wake();
          }
        });
  }

  /**
   * As {@link #emitIn} for many events of one type in the caller's transaction, one statement
   * (a filing group's {@code email.received}); the caller wakes the loop after its commit.
   *
   * @param domainIds each event's domain, at the same index as its data
   * @return the number of deliveries recorded
   */
  public Future<Integer> emitAllIn(SqlClient transaction, String type, List<UUID> domainIds,
      List<JsonObject> data) {
    if (!WebhookEvents.TYPES.contains(type)) {
      return Future.failedFuture(new IllegalArgumentException("unknown webhook event type: " + type));
    }
    if (data.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return deliveries.insertAll(transaction, type, domainIds,
        data.stream().map(d -> payload(type, Objects.requireNonNull(d, "data"))).toList());
  }

  private JsonObject payload(String type, JsonObject data) {
    return new JsonObject()
        .put("type", type)
        .put("created_at", clock.instant().toString())
        .put("data", data);
  }

  /** Deploys this node's delivery loop. */
  public Future<Void> start() {
    return vertx.deployVerticle(loop).onSuccess(id -> deployment = id).mapEmpty();
  }

  /** Looks for due deliveries now (NOTIFY handler; thread-safe). */
  public void wake() {
    loop.wake();
  }

  /** Lets in-flight sends finish, releases unstarted claims, stops the loop. Idempotent. */
  public Future<Void> stop() {
    String id = deployment;
    deployment = null;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }
}
