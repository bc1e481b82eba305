package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.GatewayProcess;
import dev.postern.support.OutboundSeed;
import dev.postern.support.PgFixture;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #5 / TESTING.md "Faults": two packaged gateways on one database; one is killed with
 * SIGKILL mid-run, and the other finishes its work once the dead node's leases expire.
 */
class NodeDeathDeliveryIT {

  private static final Logger log = LoggerFactory.getLogger(NodeDeathDeliveryIT.class);
  private static final int MESSAGES = 2_000;
  /**
   * The most a node can have in hand: 2 workers × 2 × (16 connections / 2 workers) — two
   * messages per relay connection (DeliveryStack).
   */
  private static final int NODE_CAPACITY = 32;

  @TempDir Path work;

  private GatewayProcess node(String name, String pg, FaultRelay relay, Path conf) throws Exception {
    Map<String, String> env = Map.of(
        "POSTERN_DATA_DIR", work.resolve(name).toString(),
        "POSTERN_HTTP_HOST", "127.0.0.1",
        "POSTERN_PG_URL", pg,
        "POSTERN_RELAY_URL", relay.relayUrl());
    return GatewayProcess.start(work.resolve("logs-" + name), env, "serve", "--config", conf.toString());
  }

  @Test
  void aKilledNodesWorkIsFinishedByTheOtherAfterTheLease() throws Exception {
    String pg = PgFixture.freshDatabaseUrl();
    Path conf = Files.writeString(work.resolve("conf.json"), new JsonObject().put("delivery",
        new JsonObject().put("lease_seconds", 5).put("poll_interval_ms", 500)).encode());
    try (FaultRelay relay = FaultRelay.start().delayAccepts(Duration.ofMillis(50));
        GatewayProcess doomed = node("a", pg, relay, conf);
        GatewayProcess survivor = node("b", pg, relay, conf);
        OutboundSeed seed = new OutboundSeed(pg)) {
      doomed.awaitReady(Duration.ofSeconds(60));
      survivor.awaitReady(Duration.ofSeconds(60));

      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < MESSAGES / 200; i++) {
        ids.addAll(seed.live(200, "rcpt" + i + "@dest.test"));
      }
      Eventually.until(Duration.ofSeconds(60), () -> relay.received().size() >= MESSAGES / 4,
          () -> relay.received().size() + " received");
      doomed.kill();
      long killedAt = System.nanoTime();
      int atKill = relay.received().size();

      Eventually.until(Duration.ofSeconds(120),
          () -> seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") == MESSAGES,
          () -> seed.count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'")
              + " delivered; survivor log: " + survivor.stdout());
      double after = (System.nanoTime() - killedAt) / 1e9;

      Map<String, Long> byMessageId = relay.received().stream()
          .collect(Collectors.groupingBy(FaultRelay.Received::messageId, Collectors.counting()));
      long duplicates = byMessageId.values().stream().mapToLong(n -> n - 1).sum();
      log.info("killed a node after {} of {} arrivals; the survivor finished {} s later; {} "
          + "messages arrived twice (in flight on the killed node)", atKill, MESSAGES,
          String.format("%.1f", after), duplicates);
      assertThat(byMessageId.keySet()).containsExactlyInAnyOrderElementsOf(
          ids.stream().map(id -> "<" + id + "@example.com>").toList());
      assertThat(duplicates).isLessThanOrEqualTo(NODE_CAPACITY);
      assertThat(seed.count("SELECT count(*) FROM delivery_queue")).isZero();
      assertThat(survivor.terminate(Duration.ofSeconds(30))).isZero();
    }
  }
}
