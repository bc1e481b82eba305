package dev.postern.admin;

import static dev.postern.http.ApiRouter.json;

import dev.postern.domains.DomainName;
import dev.postern.http.ApiException;
import dev.postern.mailboxes.MailboxService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** {@code /admin/v1/mailboxes}: create, list, get, change tier/key, delete. */
final class MailboxHandlers {

  private final MailboxService mailboxes;
  private final AdminTrail trail;

  MailboxHandlers(MailboxService mailboxes, AdminTrail trail) {
    this.mailboxes = mailboxes;
    this.trail = trail;
  }

  /** {@code {address, encryption_tier?, pgp_public_key?}} → 201 mailbox. */
  void create(RoutingContext ctx) {
    JsonObject body = AdminRequests.body(ctx);
    String address = AdminRequests.string(body, "address");
    String tier = AdminRequests.string(body, "encryption_tier");
    String key = AdminRequests.string(body, "pgp_public_key");
    mailboxes.create(address, tier, key)
        .onSuccess(created -> {
          trail.record(ctx, "mailboxes.create", 201, new JsonObject()
              .put("mailbox_id", created.mailbox().id().toString())
              .put("address", created.mailbox().address())
              .put("encryption_tier", created.mailbox().tier().wire())
              .put("domain_created", created.domainCreated()));
          json(ctx, 201, created.mailbox().toJson());
        })
        .onFailure(ctx::fail);
  }

  /** Optional {@code ?domain=} narrows the list to one domain. */
  void list(RoutingContext ctx) {
    String domain = ctx.queryParams().get("domain");
    String name = null;
    if (domain != null) {
      DomainName.Parsed parsed = DomainName.parse(domain);
      if (!parsed.valid()) {
        throw ApiException.validation("domain", parsed.problem());
      }
      name = parsed.name();
    }
    mailboxes.repository().list(name)
        .onSuccess(list -> {
          JsonArray data = new JsonArray();
          list.forEach(m -> data.add(m.toJson()));
          json(ctx, 200, new JsonObject().put("data", data));
        })
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "mailbox");
    mailboxes.get(id)
        .onSuccess(mailbox -> json(ctx, 200, mailbox.toJson()))
        .onFailure(ctx::fail);
  }

  /** Any subset of {@code encryption_tier}, {@code pgp_public_key} (null removes the key). */
  void change(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "mailbox");
    JsonObject body = AdminRequests.body(ctx);
    MailboxService.Change change = new MailboxService.Change(
        AdminRequests.string(body, "encryption_tier"), body.containsKey("pgp_public_key"),
        AdminRequests.string(body, "pgp_public_key"));
    mailboxes.change(id, change)
        .onSuccess(mailbox -> {
          if (!change.empty()) {
            trail.record(ctx, "mailboxes.update", 200, new JsonObject()
                .put("mailbox_id", mailbox.id().toString())
                .put("encryption_tier", mailbox.tier().wire())
                .put("pgp_key_changed", change.setKey()));
          }
          json(ctx, 200, mailbox.toJson());
        })
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "mailbox");
    mailboxes.delete(id)
        .onSuccess(mailbox -> {
          trail.record(ctx, "mailboxes.delete", 200, new JsonObject()
              .put("mailbox_id", mailbox.id().toString()).put("address", mailbox.address()));
          json(ctx, 200, new JsonObject().put("id", mailbox.id().toString()).put("deleted", true));
        })
        .onFailure(ctx::fail);
  }
}
