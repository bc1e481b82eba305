package dev.postern.inbound.filing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;

/**
 * The gateway the filing ITs share: short filing leases, a quick poll, two attempts with a short
 * back-off (so a failing delivery is given up within a test), and an {@code email.received}
 * webhook registered (so its events are recorded).
 */
final class FilingGateway {

  private FilingGateway() {}

  static TestGateway start() {
    TestGateway gateway = TestGateway.start(Map.of(), new JsonObject().put("inbound", new JsonObject()
        .put("filing_lease_seconds", 2).put("filing_poll_interval_ms", 200)
        .put("filing_max_attempts", 2).put("filing_retry_base_ms", 50)));
    assertThat(gateway.admin("POST", "/admin/v1/webhooks", new JsonObject()
        .put("url", "https://hooks.example.com/postern")
        .put("events", new JsonArray().add("email.received"))).statusCode()).isEqualTo(201);
    return gateway;
  }

  /** A fresh hosted mailbox whose address starts with {@code prefix}. */
  static UUID mailbox(TestGateway gateway, String prefix) {
    return SqlSeed.mailbox(gateway.pgUrl(), prefix + UUID.randomUUID().toString().substring(0, 8) + "@example.com");
  }
}
