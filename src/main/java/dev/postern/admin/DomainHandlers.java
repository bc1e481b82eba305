package dev.postern.admin;

import static dev.postern.http.ApiRouter.json;

import dev.postern.domains.Domain;
import dev.postern.domains.DomainName;
import dev.postern.domains.DomainService;
import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** {@code /admin/v1/domains}: create, list, get, change (the catch-all), verify. */
final class DomainHandlers {

  private final DomainService domains;
  private final AdminTrail trail;

  DomainHandlers(DomainService domains, AdminTrail trail) {
    this.domains = domains;
    this.trail = trail;
  }

  /** {@code {name}} → 201 domain (with its DNS records). */
  void create(RoutingContext ctx) {
    DomainName.Parsed name = DomainName.parse(AdminRequests.string(AdminRequests.body(ctx), "name"));
    if (!name.valid()) {
      throw ApiException.validation("name", name.problem());
    }
    domains.create(name.name())
        .onSuccess(domain -> {
          trail.record(ctx, "domains.create", 201, new JsonObject()
              .put("domain_id", domain.id().toString()).put("name", domain.name()));
          json(ctx, 201, domain.toJson());
        })
        .onFailure(ctx::fail);
  }

  void list(RoutingContext ctx) {
    domains.repository().list()
        .onSuccess(list -> {
          JsonArray data = new JsonArray();
          list.forEach(d -> data.add(d.toJson()));
          json(ctx, 200, new JsonObject().put("data", data));
        })
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "domain");
    domains.repository().byId(id)
        .map(found -> found.orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "domain not found")))
        .onSuccess(domain -> json(ctx, 200, domain.toJson()))
        .onFailure(ctx::fail);
  }

  /**
   * {@code {catch_all_mailbox_id}}: a mailbox of this domain receives the mail for its unknown
   * local parts (SPEC §5); {@code null} clears it (they are refused 550 5.1.1 again). The MX sees
   * the change within its recipient cache's few seconds. → the domain.
   */
  void change(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "domain");
    JsonObject body = AdminRequests.body(ctx);
    if (!body.containsKey("catch_all_mailbox_id")) {
      throw ApiException.validation("catch_all_mailbox_id", "is the field this request changes");
    }
    String raw = AdminRequests.string(body, "catch_all_mailbox_id");
    UUID mailbox;
    try {
      mailbox = raw == null ? null : UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation("catch_all_mailbox_id", "must be a mailbox id or null");
    }
    domains.setCatchAll(id, mailbox)
        .onSuccess(domain -> {
          trail.record(ctx, "domains.update", 200, new JsonObject()
              .put("domain_id", domain.id().toString()).put("name", domain.name())
              .put("catch_all_mailbox_id", raw));
          json(ctx, 200, domain.toJson());
        })
        .onFailure(ctx::fail);
  }

  /** → {@code {id, name, verified, verified_at[, reason]}}; reason says why this check failed. */
  void verify(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "domain");
    domains.verify(id)
        .onSuccess(check -> {
          Domain domain = check.domain();
          JsonObject body = new JsonObject()
              .put("id", domain.id().toString())
              .put("name", domain.name())
              .put("verified", domain.verified())
              .put("verified_at", domain.toJson().getString("verified_at"));
          if (!check.found()) {
            body.put("reason", check.reason());
          }
          trail.record(ctx, "domains.verify", 200, new JsonObject()
              .put("domain_id", domain.id().toString()).put("name", domain.name())
              .put("found", check.found()));
          json(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }
}
