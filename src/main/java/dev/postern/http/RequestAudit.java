package dev.postern.http;

import dev.postern.audit.ActorType;
import dev.postern.audit.AuditEntry;
import dev.postern.audit.AuditLog;
import dev.postern.auth.AuthenticatedKey;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * SPEC §3 "Audit": every authenticated API request appends a row (key, method, path, status,
 * remote address, actor header, time) when its response ends — queued in memory, written in
 * batches by {@link AuditLog}, so it never slows or fails the request.
 */
public final class RequestAudit implements Consumer<RoutingContext> {

  private final AuditLog audit;
  private final Clock clock;
  private final ClientAddresses addresses;

  public RequestAudit(AuditLog audit, Clock clock, ClientAddresses addresses) {
    this.audit = audit;
    this.clock = clock;
    this.addresses = addresses;
  }

  /** Called once the request is authenticated. */
  @Override
  public void accept(RoutingContext ctx) {
    AuthenticatedKey key = ApiKeyAuth.key(ctx);
    ctx.addEndHandler(done -> {
      String method = ctx.request().method().name();
      // The path only: a query string might carry a key someone pasted in the wrong place.
      String path = ctx.request().path();
      audit.record(new AuditEntry(clock.instant(), ActorType.API_KEY, key.id(), method + " " + path,
          method, path, ctx.response().getStatusCode(), remote(ctx),
          ctx.request().getHeader(ApiKeyAuth.ACTOR_HEADER), null));
    });
  }

  private String remote(RoutingContext ctx) {
    String address = addresses.of(ctx.request());
    return address.isEmpty() ? null : address;
  }
}
