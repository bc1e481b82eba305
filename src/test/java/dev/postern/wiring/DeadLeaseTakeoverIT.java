package dev.postern.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.keys.MasterSecrets;
import dev.postern.support.Eventually;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.OutboundSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On its embedded PostgreSQL (a database no other node uses) a restarted gateway takes over at
 * once the work its killed predecessor had leased, instead of waiting the lease out: each process
 * start has a new lease owner name, so without the takeover a kill -9 during delivery or filing
 * delays that work by the whole lease (an hour here).
 */
class DeadLeaseTakeoverIT {

  @TempDir Path work;

  @Test
  void workLeasedByAProcessThatIsGoneIsDeliveredAtOnceAfterARestart() throws Exception {
    Path data = Files.createDirectories(work.resolve("data"));
    String secret = MasterSecrets.generate();
    Map<String, String> embedded = Map.of("POSTERN_PG_URL", TestGateway.EMBEDDED,
        "POSTERN_DATA_DIR", data.toString(), "POSTERN_MASTER_SECRET", secret);
    UUID leased;
    try (TestGateway first = TestGateway.start(embedded, fastDelivery());
        OutboundSeed seed = new OutboundSeed(first.pgUrl())) {
      assertThat(first.core().database().exclusive()).isTrue();
      // Scheduled far ahead, so this node never claims it; then, in one statement, made due and
      // leased for an hour by a node that is gone: what a kill -9 mid-delivery leaves behind.
      leased = seed.scheduled(Duration.ofDays(1), "alice@dest.test");
      long updated = seed.count("WITH u AS (UPDATE delivery_queue SET due_at = now(),"
          + " lease_owner = 'node-gone', lease_until = now() + interval '1 hour'"
          + " WHERE message_id = '" + leased + "' RETURNING 1) SELECT count(*) FROM u");
      assertThat(updated).isEqualTo(1);
    }

    try (GreenMailFixture relay = GreenMailFixture.start();
        TestGateway restarted = TestGateway.start(Map.of("POSTERN_PG_URL", TestGateway.EMBEDDED,
            "POSTERN_DATA_DIR", data.toString(), "POSTERN_MASTER_SECRET", secret,
            "POSTERN_RELAY_URL", relay.relayUrl()), fastDelivery());
        OutboundSeed seed = new OutboundSeed(restarted.pgUrl())) {
      Eventually.until(Duration.ofSeconds(30), () -> "delivered".equals(seed.status(leased)),
          () -> "status " + seed.status(leased) + ", queue row " + seed.queueRow(leased));
      assertThat(relay.server().getReceivedMessages()).hasSize(1);
    }
  }

  private static JsonObject fastDelivery() {
    return new JsonObject().put("delivery", new JsonObject()
        .put("retry_base_ms", 200).put("retry_max_ms", 400).put("poll_interval_ms", 200));
  }
}
