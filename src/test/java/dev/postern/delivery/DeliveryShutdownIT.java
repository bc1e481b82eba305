package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.OutboundSeed;
import dev.postern.support.PgFixture;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** SPEC §6: graceful shutdown finishes or releases its claims; the next node resumes. */
class DeliveryShutdownIT {

  @Test
  void gracefulShutdownLeavesNoLeaseBehindAndTheNextNodeFinishes() {
    String pg = PgFixture.freshDatabaseUrl();
    try (FaultRelay relay = FaultRelay.start().delayAccepts(Duration.ofMillis(100));
        OutboundSeed seed = new OutboundSeed(pg)) {
      Map<String, String> env = Map.of("POSTERN_PG_URL", pg, "POSTERN_RELAY_URL", relay.relayUrl());
      JsonObject conf = new JsonObject().put("delivery", new JsonObject().put("poll_interval_ms", 300));
      List<UUID> ids;
      try (TestGateway first = TestGateway.start(env, conf)) {
        ids = seed.live(300, "r@dest.test");
        Eventually.until(Duration.ofSeconds(30), () -> relay.received().size() >= 30,
            () -> relay.received().size() + " received");
      } // close() = graceful stop: in-flight deliveries finish, nothing stays leased
      int received = relay.received().size();
      assertThat(received).isLessThan(300);
      assertThat(seed.count("SELECT count(*) FROM delivery_queue WHERE lease_owner IS NOT NULL")).isZero();
      assertThat(seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'"))
          .isEqualTo(received);

      relay.delayAccepts(Duration.ZERO);
      try (TestGateway second = TestGateway.start(env, conf)) {
        Eventually.until(Duration.ofSeconds(60),
            () -> seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") == 300,
            () -> seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") + " delivered");
      }
      TwoNodeDeliveryIT.assertExactlyOnce(relay, ids);
    }
  }
}
