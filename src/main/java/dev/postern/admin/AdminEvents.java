package dev.postern.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** Where admin actions are recorded (the audit log): never secrets in {@code details}. */
@FunctionalInterface
public interface AdminEvents {
  void record(RoutingContext ctx, String action, UUID apiKeyId, JsonObject details);
}
