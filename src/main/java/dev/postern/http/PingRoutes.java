package dev.postern.http;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.cache.BoundedCache;
import dev.postern.keys.Scopes;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * {@code GET /v1/emails/_ping} and {@code /v1/inbox/_ping}: identify the key (any key, no scope
 * needed): {@code {ok, mailbox | domain, mode, scope, scopes, rate_limit_per_hour}}, where
 * {@code scope} names the preset the scopes equal, or {@code custom}.
 */
public final class PingRoutes implements RouteGroup {

  /** A key's answer, encoded once, and the very key object it was made for. */
  private record Answer(AuthenticatedKey key, Buffer body) {}

  private final ApiKeyAuth auth;
  private final QuotaSteps quotas;
  /**
   * The answer depends on the key alone, and building it (a JSON tree, the preset's sets, the
   * encoding) was a fifth of the gateway's CPU under the ping bench (JFR, session 13). Reused
   * only for the same {@link AuthenticatedKey} instance: the authenticator makes a new one when
   * the key is loaded again, so a changed key never gets an old answer.
   */
  private final BoundedCache<UUID, Answer> answers =
      new BoundedCache<>(10_000, Duration.ofMinutes(10).toMillis(), Clock.systemUTC());

  public PingRoutes(ApiKeyAuth auth, QuotaSteps quotas) {
    this.auth = auth;
    this.quotas = quotas;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    router.get("/v1/emails/_ping").handler(auth.authenticate()).handler(quotas.sendHeaders()).handler(this::ping);
    router.get("/v1/inbox/_ping").handler(auth.authenticate()).handler(quotas.inboxHeaders()).handler(this::ping);
  }

  private void ping(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    Answer answer = answers.get(key.id());
    if (answer == null || answer.key() != key) {
      answer = new Answer(key, JsonBodies.encode(body(key)));
      answers.put(key.id(), answer);
    }
    ctx.response().setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(answer.body());
  }

  private static JsonObject body(AuthenticatedKey key) {
    JsonObject body = new JsonObject().put("ok", true);
    if (key.mailboxBound()) {
      body.put("mailbox", key.mailboxAddress());
    } else {
      body.put("domain", key.domainName());
    }
    body.put("mode", key.mode().wire())
        .put("scope", presetOf(key.scopes()))
        .put("scopes", new JsonArray(key.scopes()))
        .put("rate_limit_per_hour", key.rateLimitPerHour());
    return body;
  }

  static String presetOf(List<String> scopes) {
    TreeSet<String> granted = new TreeSet<>(scopes);
    for (Map.Entry<String, List<String>> preset : Scopes.PRESETS.entrySet()) {
      if (granted.equals(new TreeSet<>(preset.getValue()))) {
        return preset.getKey();
      }
    }
    return "custom";
  }
}
