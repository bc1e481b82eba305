package dev.postern.http;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.keys.Scopes;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /v1/emails/_ping} and {@code /v1/inbox/_ping}: identify the key (any key, no scope
 * needed): {@code {ok, mailbox | domain, mode, scope, scopes, rate_limit_per_hour}}, where
 * {@code scope} names the preset the scopes equal, or {@code custom}.
 */
public final class PingRoutes implements RouteGroup {

  private final ApiKeyAuth auth;
  private final QuotaSteps quotas;

  public PingRoutes(ApiKeyAuth auth, QuotaSteps quotas) {
    this.auth = auth;
    this.quotas = quotas;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    router.get("/v1/emails/_ping").handler(auth.authenticate()).handler(quotas.sendHeaders()).handler(PingRoutes::ping);
    router.get("/v1/inbox/_ping").handler(auth.authenticate()).handler(quotas.inboxHeaders()).handler(PingRoutes::ping);
  }

  private static void ping(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
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
    ApiRouter.json(ctx, 200, body);
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
