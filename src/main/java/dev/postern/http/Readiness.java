package dev.postern.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code /readyz}: the gateway has finished starting (every listener bound, the SMTP ones last),
 * every dependency (database, blob store, Redis when configured) answers within a bound, and the
 * gateway is not shutting down. The HTTP listener binds before the SMTP listeners, so without the
 * first condition a load balancer or an orchestrator would route SMTP traffic to a port that
 * nothing listens on yet.
 */
public final class Readiness {

  /** The default bound on each check ({@code http.readiness_timeout_ms}). */
  public static final long DEFAULT_CHECK_TIMEOUT_MS = 2_000;

  private final Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
  private final long checkTimeoutMs;
  private volatile boolean started;
  private volatile boolean draining;

  public Readiness() {
    this(DEFAULT_CHECK_TIMEOUT_MS);
  }

  /** @param checkTimeoutMs a dependency that has not answered within this is reported not ready */
  public Readiness(long checkTimeoutMs) {
    this.checkTimeoutMs = checkTimeoutMs;
  }

  public Readiness add(String name, Supplier<Future<?>> check) {
    checks.put(name, check);
    return this;
  }

  /** Every part of the gateway has started: from now on readiness follows the checks. */
  public void markStarted() {
    started = true;
  }

  /** From now on the gateway reports not-ready, so load balancers stop sending traffic. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /**
   * Completes with {@code {ready, starting, draining, checks: {name: "ok" | "error: …"}}};
   * never fails.
   */
  public Future<JsonObject> evaluate(Vertx vertx) {
    List<Future<String>> results = new ArrayList<>();
    List<String> names = new ArrayList<>(checks.keySet());
    for (Supplier<Future<?>> check : checks.values()) {
      Future<String> result;
      try {
        result = check.get().timeout(checkTimeoutMs, TimeUnit.MILLISECONDS).map(ok -> "ok");
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      results.add(result.otherwise(e -> "error: " + e.getClass().getSimpleName()));
    }
    return Future.join(results).otherwiseEmpty().map(all -> {
      JsonObject detail = new JsonObject();
      boolean ready = started && !draining;
      for (int i = 0; i < names.size(); i++) {
        String outcome = results.get(i).result();
        detail.put(names.get(i), outcome);
        ready &= "ok".equals(outcome);
      }
      return new JsonObject().put("ready", ready).put("starting", !started).put("draining", draining)
          .put("checks", detail);
    });
  }
}
