package dev.postern.webhooks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/** A webhook endpoint without its secret. {@code domain} null means every domain. */
public record Webhook(UUID id, String url, List<String> events, UUID domainId, String domain,
    OffsetDateTime createdAt) {

  /** The admin API's view: {@code {id, url, events, domain, created_at}} (never the secret). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("url", url)
        .put("events", new JsonArray(List.copyOf(events)))
        .put("domain", domain)
        .put("created_at", createdAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }
}
