package dev.postern.admin;

import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
import dev.postern.http.AuthFailures;
import dev.postern.refusal.Issue;
import dev.postern.http.ApiRouter;
import dev.postern.http.RouteGroup;
import dev.postern.keys.KeyIssuer;
import dev.postern.keys.SealedRows;
import dev.postern.keys.KeyMode;
import dev.postern.keys.KeyRepository;
import dev.postern.keys.Scopes;
import dev.postern.keys.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@code /admin/v1/keys} (SPEC §4): API keys can never manage keys; only the admin token can. */
public final class AdminKeyRoutes implements RouteGroup {

  private final AdminAuth admin;
  private final KeyIssuer issuer;
  private final SealedRows sealedRows;
  private final KeyRepository keys;
  private final int defaultRateLimit;
  private final AdminTrail trail;
  private final Clock clock;

  public AdminKeyRoutes(AdminAuth admin, KeyIssuer issuer, SealedRows sealedRows,
      KeyRepository keys, int defaultRateLimit, AdminTrail trail, Clock clock) {
    this.admin = admin;
    this.issuer = issuer;
    this.sealedRows = sealedRows;
    this.keys = keys;
    this.defaultRateLimit = defaultRateLimit;
    this.trail = trail;
    this.clock = clock;
  }

  @Override
  public void mount(Router router, Handler<RoutingContext> body) {
    router.post("/admin/v1/keys/_reseal").handler(admin).handler(this::reseal);
    // The admin token is checked (synchronously) before any body byte is read (issue #15 item 1).
    router.post("/admin/v1/keys").handler(admin).handler(body::handle).handler(this::create);
    router.get("/admin/v1/keys").handler(admin).handler(this::list);
    router.get("/admin/v1/keys/:id").handler(admin).handler(this::show);
    router.delete("/admin/v1/keys/:id").handler(admin).handler(this::revoke);
    router.post("/admin/v1/keys/:id/rotate").handler(admin).handler(this::rotate);
    router.post("/admin/v1/keys/:id/reveal").handler(admin).handler(body::handle).handler(this::reveal);
  }

  private void create(RoutingContext ctx) {
    JsonObject json = AdminRequests.body(ctx);
    List<Issue> issues = new ArrayList<>();
    String name = AdminRequests.text(json, "name", 200, true, issues);
    String mailbox = AdminRequests.text(json, "mailbox", 254, false, issues);
    String domain = AdminRequests.text(json, "domain", 253, false, issues);
    if ((mailbox == null) == (domain == null) && issues.isEmpty()) {
      issues.add(new Issue("mailbox", "give exactly one of mailbox or domain"));
    }
    List<String> scopes = scopes(json, issues);
    KeyMode mode = KeyMode.fromWire(json.getValue("mode") instanceof String s ? s : "live").orElse(null);
    if (mode == null) {
      issues.add(new Issue("mode", "must be live or test"));
    }
    int rateLimit = rateLimit(json, issues);
    Instant expiresAt = expiresAt(json, clock.instant(), issues);
    if (!issues.isEmpty()) {
      throw ApiException.validation(issues);
    }
    Future<Optional<KeyRepository.Binding>> binding = mailbox != null
        ? keys.findMailbox(mailbox) : keys.findDomain(domain);
    binding.compose(found -> {
          if (found.isEmpty()) {
            return Future.failedFuture(ApiException.validation(mailbox != null ? "mailbox" : "domain",
                "no such " + (mailbox != null ? "mailbox" : "domain") + "; create it first"));
          }
          KeyRepository.Binding b = found.get();
          return issuer.create(new KeyIssuer.Request(name, mode, scopes,
              b.mailboxId(), b.mailboxId() == null ? b.domainId() : null, rateLimit, expiresAt));
        })
        .onSuccess(issued -> {
          trail.record(ctx, "keys.create", issued.key().id(), 201, new JsonObject()
              .put("mode", issued.key().mode().wire()).put("scopes", new JsonArray(issued.key().scopes())));
          ApiRouter.json(ctx, 201, issued.key().toJson().put("key", issued.plaintext()));
        })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    keys.list(1000).onSuccess(all -> {
      JsonArray data = new JsonArray();
      all.forEach(k -> data.add(k.toJson()));
      ApiRouter.json(ctx, 200, new JsonObject().put("data", data));
    }).onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "key");
    keys.find(id).onSuccess(found -> respond(ctx, found.map(StoredKey::toJson))).onFailure(ctx::fail);
  }

  private void revoke(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "key");
    issuer.revoke(id).onSuccess(found -> {
      found.ifPresent(k -> trail.record(ctx, "keys.revoke", id, 200, null));
      respond(ctx, found.map(StoredKey::toJson));
    }).onFailure(ctx::fail);
  }

  private void rotate(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "key");
    issuer.rotate(id).onSuccess(issued -> {
      issued.ifPresent(i -> trail.record(ctx, "keys.rotate", id, 200,
          new JsonObject().put("new_key_id", i.key().id().toString())));
      respond(ctx, issued.map(i -> i.key().toJson().put("key", i.plaintext())));
    }).onFailure(ctx::fail);
  }

  private void reveal(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "key");
    JsonObject json = AdminRequests.body(ctx);
    // SPEC §4: revealing a secret needs the admin secret re-entered, not just a valid session.
    if (!(json.getValue("admin_token") instanceof String token) || !admin.matches(token)) {
      admin.failed(ctx, AuthFailures.Kind.REVEAL);
      throw new ApiException(ApiError.UNAUTHORIZED, "re-enter the admin token to reveal a key");
    }
    issuer.reveal(id).onSuccess(plaintext -> {
      plaintext.ifPresent(p -> trail.record(ctx, "keys.reveal", id, 200, null));
      respond(ctx, plaintext.map(p -> new JsonObject().put("id", id.toString()).put("key", p)));
    }).onFailure(ctx::fail);
  }

  /**
   * Every sealed value (API keys, DKIM private keys, webhook secrets) under the current master
   * version: {@code {resealed: total, api_keys, dkim_keys, webhook_secrets}}.
   */
  private void reseal(RoutingContext ctx) {
    sealedRows.resealAll().onSuccess(counts -> {
      JsonObject result = new JsonObject()
          .put("resealed", counts.values().stream().mapToInt(Integer::intValue).sum());
      counts.forEach((column, n) -> result.put(column.wireName(), n));
      trail.record(ctx, "keys.reseal", null, 200, result);
      ApiRouter.json(ctx, 200, result);
    }).onFailure(ctx::fail);
  }

  private static void respond(RoutingContext ctx, Optional<JsonObject> body) {
    if (body.isEmpty()) {
      ctx.fail(new ApiException(ApiError.NOT_FOUND, "no such key"));
      return;
    }
    ApiRouter.json(ctx, 200, body.get());
  }

  private static List<String> scopes(JsonObject json, List<Issue> issues) {
    Object scope = json.getValue("scope");
    Object list = json.getValue("scopes");
    if (scope != null && list != null) {
      issues.add(new Issue("scopes", "give either scope (a preset) or scopes, not both"));
      return List.of();
    }
    List<String> requested;
    if (scope != null) {
      if (!(scope instanceof String preset) || !Scopes.PRESETS.containsKey(preset)) {
        issues.add(new Issue("scope", "must be one of " + Scopes.PRESETS.keySet()));
        return List.of();
      }
      requested = List.of(preset);
    } else if (list != null) {
      if (!(list instanceof JsonArray array) || array.stream().anyMatch(e -> !(e instanceof String))) {
        issues.add(new Issue("scopes", "must be a list of scope strings"));
        return List.of();
      }
      requested = array.stream().map(String.class::cast).toList();
    } else {
      return Scopes.defaults();
    }
    try {
      return Scopes.parse(requested);
    } catch (Scopes.InvalidScopeException e) {
      issues.add(new Issue("scopes", "unknown scope(s): " + String.join(", ", e.entries())));
      return List.of();
    }
  }

  private int rateLimit(JsonObject json, List<Issue> issues) {
    Object value = json.getValue("rate_limit_per_hour");
    if (value == null) {
      return defaultRateLimit;
    }
    if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= 1
        && n.longValue() <= 1_000_000_000L) {
      return n.intValue();
    }
    issues.add(new Issue("rate_limit_per_hour", "must be an integer from 1 to 1000000000"));
    return 0;
  }

  private static Instant expiresAt(JsonObject json, Instant now, List<Issue> issues) {
    Object value = json.getValue("expires_at");
    if (value == null) {
      return null;
    }
    try {
      Instant at = java.time.OffsetDateTime.parse((String) value).toInstant();
      if (!at.isAfter(now)) {
        issues.add(new Issue("expires_at", "must be in the future"));
      }
      return at;
    } catch (ClassCastException | DateTimeParseException e) {
      issues.add(new Issue("expires_at", "must be an ISO-8601 timestamp with an offset"));
      return null;
    }
  }
}
