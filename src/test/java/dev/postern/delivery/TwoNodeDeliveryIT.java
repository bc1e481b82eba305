package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.OutboundSeed;
import dev.postern.support.PgFixture;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Issue #5: two nodes on one database deliver 2 000 messages, each exactly once. */
class TwoNodeDeliveryIT {

  private static final Logger log = LoggerFactory.getLogger(TwoNodeDeliveryIT.class);
  static final int MESSAGES = 2_000;

  @Test
  void twoNodesDeliverEveryMessageExactlyOnce() {
    String pg = PgFixture.freshDatabaseUrl();
    JsonObject conf = new JsonObject().put("delivery", new JsonObject().put("poll_interval_ms", 1000));
    try (FaultRelay relay = FaultRelay.start();
        TestGateway a = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_RELAY_URL", relay.relayUrl()), conf);
        TestGateway b = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_RELAY_URL", relay.relayUrl()), conf);
        OutboundSeed seed = new OutboundSeed(pg)) {
      long started = System.nanoTime();
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < MESSAGES / 200; i++) {
        ids.addAll(seed.live(200, "rcpt" + i + "@dest.test"));
      }
      // Settled, not just delivered: no queue row left, so no claim is still in flight on either
      // node that could send a second copy after the count below.
      Eventually.until(Duration.ofSeconds(120),
          () -> seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") == MESSAGES
              && seed.count("SELECT count(*) FROM delivery_queue") == 0,
          () -> seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") + " delivered, "
              + seed.count("SELECT count(*) FROM delivery_queue") + " queue rows left");
      double seconds = (System.nanoTime() - started) / 1e9;
      log.info("two nodes delivered {} messages in {} s ({} msg/s)", MESSAGES,
          String.format("%.2f", seconds), String.format("%.0f", MESSAGES / seconds));

      assertExactlyOnce(relay, ids);
      assertThat(seed.count("SELECT count(*) FROM delivery_queue")).isZero();
      assertThat(seed.count("SELECT count(DISTINCT node) FROM outbound_events WHERE type = 'sent'"))
          .isEqualTo(2);
      assertThat(seed.count("SELECT count(*) FROM outbound_events WHERE type = 'sent'")).isEqualTo(MESSAGES);
    }
  }

  static void assertExactlyOnce(FaultRelay relay, List<UUID> ids) {
    Map<String, Long> byMessageId = relay.received().stream()
        .collect(Collectors.groupingBy(FaultRelay.Received::messageId, Collectors.counting()));
    List<String> expected = ids.stream().map(id -> "<" + id + "@example.com>").toList();
    assertThat(byMessageId.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(byMessageId.values()).allMatch(n -> n == 1L);
  }

}
