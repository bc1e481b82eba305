package dev.postern.admin;

import static dev.postern.http.ApiRouter.json;

import dev.postern.webhooks.WebhookService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** {@code /admin/v1/webhooks}: create (the only response with the secret), list, get, delete. */
final class WebhookHandlers {

  private final WebhookService webhooks;
  private final AdminTrail trail;

  WebhookHandlers(WebhookService webhooks, AdminTrail trail) {
    this.webhooks = webhooks;
    this.trail = trail;
  }

  /** {@code {url, events[, domain]}} → 201 {@code {id, url, events, domain, created_at, secret}}. */
  void create(RoutingContext ctx) {
    JsonObject body = AdminRequests.body(ctx);
    webhooks.create(AdminRequests.string(body, "url"), AdminRequests.list(body, "events"),
            AdminRequests.string(body, "domain"))
        .onSuccess(created -> {
          JsonObject view = created.webhook().toJson();
          trail.record(ctx, "webhooks.create", 201, new JsonObject()
              .put("webhook_id", view.getString("id")).put("url", view.getString("url"))
              .put("events", view.getJsonArray("events")).put("domain", view.getString("domain")));
          json(ctx, 201, view.put("secret", created.secret()));
        })
        .onFailure(ctx::fail);
  }

  void list(RoutingContext ctx) {
    webhooks.repository().list()
        .onSuccess(list -> {
          JsonArray data = new JsonArray();
          list.forEach(w -> data.add(w.toJson()));
          json(ctx, 200, new JsonObject().put("data", data));
        })
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "webhook");
    webhooks.get(id)
        .onSuccess(webhook -> json(ctx, 200, webhook.toJson()))
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "webhook");
    webhooks.delete(id)
        .onSuccess(webhook -> {
          trail.record(ctx, "webhooks.delete", 200, new JsonObject()
              .put("webhook_id", webhook.id().toString()).put("url", webhook.url()));
          json(ctx, 200, new JsonObject().put("id", webhook.id().toString()).put("deleted", true));
        })
        .onFailure(ctx::fail);
  }
}
