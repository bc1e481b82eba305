package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.keys.KeyRepository;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** last_used_at is written for many keys in one statement, and never moves backwards. */
class LastUsedTrackerIT {

  @Test
  void flushRecordsLastUseOfEveryTouchedKey() {
    try (TestGateway gateway = TestGateway.start()) {
      SqlSeed.mailbox(gateway.pgUrl(), "bot@example.com");
      UUID first = UUID.fromString(ApiKeyLifecycleIT.createKey(gateway,
          new JsonObject().put("name", "a").put("mailbox", "bot@example.com")).getString("id"));
      UUID second = UUID.fromString(ApiKeyLifecycleIT.createKey(gateway,
          new JsonObject().put("name", "b").put("mailbox", "bot@example.com")).getString("id"));
      Pool pool = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(gateway.vertx()).build();
      LastUsedTracker tracker = new LastUsedTracker(gateway.vertx(), new KeyRepository(pool),
          Clock.systemUTC(), 3_600_000);
      Instant before = Instant.now().minusSeconds(1);
      tracker.touch(first);
      tracker.touch(second);
      tracker.flush().await();
      for (UUID id : new UUID[] {first, second}) {
        OffsetDateTime used = pool.preparedQuery("SELECT last_used_at FROM api_keys WHERE id = $1")
            .execute(Tuple.of(id)).await().iterator().next().getOffsetDateTime(0);
        assertThat(used).isNotNull();
        assertThat(used.toInstant()).isAfter(before);
      }
      tracker.close().await();
    }
  }
}
