package dev.postern.admin;

import static dev.postern.http.ApiRouter.json;

import dev.postern.audit.AuditReader;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * Audit reads: the organisation-wide feed and one API key's history, newest first,
 * {@code {data, next_cursor}}. A key's history is read from the audit log alone (it outlives the
 * key), so an id with no rows is an empty page, not a 404.
 */
final class ActivityHandlers {

  private final AuditReader reader;

  ActivityHandlers(AuditReader reader) {
    this.reader = reader;
  }

  void activity(RoutingContext ctx) {
    int limit = AdminRequests.limit(ctx);
    Long before = AdminRequests.before(ctx);
    reader.activity(before, limit)
        .onSuccess(page -> json(ctx, 200, page.toJson()))
        .onFailure(ctx::fail);
  }

  void keyAudit(RoutingContext ctx) {
    UUID id = AdminRequests.id(ctx, "key");
    int limit = AdminRequests.limit(ctx);
    Long before = AdminRequests.before(ctx);
    reader.forKey(id, before, limit)
        .onSuccess(page -> json(ctx, 200, page.toJson()))
        .onFailure(ctx::fail);
  }
}
