package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.ClosedPort;
import dev.postern.support.Eventually;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #15.7: what a relay failure shows through the API. The reader learns the kind of
 * failure; the internal host:port and the socket's own words stay in the server log.
 */
class RelayFailureDetailsIT {

  @Test
  void anUnreachableRelayIsReportedWithoutItsAddress() {
    try (ClosedPort dead = ClosedPort.hold();
        TestGateway gateway = TestGateway.start(Map.of(), DeliveryFaultsIT.fastDelivery(
            new JsonArray().add(new JsonObject().put("name", "internal").put("host", "127.0.0.1")
                .put("port", dead.port()))))) {
      SqlSeed.mailbox(gateway.pgUrl(), "app@shop.example");
      JsonObject created = new JsonObject(gateway.admin("POST", "/admin/v1/keys", new JsonObject()
          .put("name", "k").put("mailbox", "app@shop.example").put("scope", "full_access")).body());
      String key = created.getString("key");
      String id = new JsonObject(gateway.withKey(key, "POST", "/v1/emails", new JsonObject()
          .put("from", "app@shop.example").put("to", "bob@dest.test").put("subject", "s")
          .put("text", "t")).body()).getString("id");
      JsonObject[] email = new JsonObject[1];
      Eventually.until(Duration.ofSeconds(20), () -> {
        email[0] = new JsonObject(gateway.withKey(key, "GET", "/v1/emails/" + id, null).body());
        return "deferred".equals(email[0].getJsonArray("recipients").getJsonObject(0).getString("status"));
      }, () -> "email " + email[0]);
      String reason = "relay unreachable (details in the server log)";
      assertThat(email[0].getJsonArray("recipients").getJsonObject(0).getString("reply"))
          .isEqualTo(reason);
      assertThat(email[0].getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("reply")))
          .contains(reason);
      assertThat(email[0].encode()).doesNotContain("127.0.0.1:" + dead.port())
          .doesNotContain("Connection refused").doesNotContain("cannot connect");
    }
  }
}
