package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Issue #15.9: expired idempotency records are deleted on a timer, in bounded batches. */
class IdempotencySweeperIT {

  @Test
  void expiredRecordsGoAndLiveOnesStay() {
    try (TestGateway gateway = TestGateway.start(Map.of(), new JsonObject().put("housekeeping",
        new JsonObject().put("idempotency_sweep_interval_seconds", 1).put("idempotency_sweep_batch", 7)))) {
      Pool pool = gateway.core().database().pool();
      UUID apiKey = UUID.randomUUID();
      List<Tuple> rows = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        rows.add(Tuple.of(apiKey, "expired-" + i, Buffer.buffer(new byte[32]), -60));
      }
      for (int i = 0; i < 3; i++) {
        rows.add(Tuple.of(apiKey, "live-" + i, Buffer.buffer(new byte[32]), 23 * 60));
      }
      pool.preparedQuery("""
              INSERT INTO idempotency_records (api_key_id, idempotency_key, request_sha256, message_ids, expires_at)
              VALUES ($1, $2, $3, ARRAY[gen_random_uuid()], now() + make_interval(mins => $4))""").executeBatch(rows).await();

      Eventually.until(Duration.ofSeconds(20), () -> count(pool, "expires_at < now()") == 0,
          () -> count(pool, "expires_at < now()") + " expired records left");
      assertThat(count(pool, "expires_at >= now()")).isEqualTo(3);
    }
  }

  private static long count(Pool pool, String where) {
    return pool.query("SELECT count(*) FROM idempotency_records WHERE " + where).execute().await()
        .iterator().next().getLong(0);
  }
}
