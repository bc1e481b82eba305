package dev.postern.admin;

import dev.postern.audit.ActorType;
import dev.postern.audit.AuditEntry;
import dev.postern.audit.AuditLog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/** Appends an ADMIN audit entry for each successful admin action. Details never hold secrets. */
public final class AdminTrail {

  static final String ACTOR_HEADER = "X-Postern-Actor";

  private final AuditLog audit;
  private final Clock clock;

  public AdminTrail(AuditLog audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  void record(RoutingContext ctx, String action, int status, JsonObject details) {
    record(ctx, action, null, status, details);
  }

  /** @param apiKeyId the key acted on, so the action shows in that key's audit history */
  public void record(RoutingContext ctx, String action, java.util.UUID apiKeyId, int status, JsonObject details) {
    var remote = ctx.request().remoteAddress();
    audit.record(new AuditEntry(clock.instant(), ActorType.ADMIN, apiKeyId, action,
        ctx.request().method().name(), ctx.request().path(), status,
        remote == null ? null : remote.hostAddress(), ctx.request().getHeader(ACTOR_HEADER), details));
  }
}
