package dev.postern.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.send.OutboundMessage;
import dev.postern.send.OutboundRepository;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import dev.postern.support.PgFixture;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The work-queue contract for the delivery queue; work enters through the send path's statement. */
class PgOutboundQueueIT implements WorkQueueContract<Claim> {

  private static Vertx vertx;
  private static String url;
  private static Pool pool;
  private static UUID keyId;
  private static UUID domainId;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    url = PgFixture.freshDatabaseUrl();
    pool = WorkQueueContract.freshPool(vertx, url);
    domainId = pool.query("""
            INSERT INTO domains (id, name, verification_token, dkim_selector, dkim_public_key,
                                 dkim_private_sealed, dkim_private_salt, master_version)
            VALUES (gen_random_uuid(), 'example.com', 'seed', 'seed', 'seed', '\\x00', '\\x00', 1)
            RETURNING id""").execute().await().iterator().next().getUUID(0);
    keyId = UUID.randomUUID();
    pool.preparedQuery("""
            INSERT INTO api_keys (id, name, mode, lookup_prefix, key_sealed, key_salt,
                                  master_version, domain_id)
            VALUES ($1, 'seed', 'live', $2, '\\x00', '\\x00', 1, $3)""")
        .execute(Tuple.of(keyId, keyId.toString().replace("-", "").substring(0, 12), domainId)).await();
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  @Override
  public WorkQueue<Claim> claimer(String owner) {
    return new PgOutboundQueue(pool, owner);
  }

  @Override
  public UUID enqueue() {
    return message(MessageStatus.QUEUED, true);
  }

  @Override
  public void clear() {
    pool.query("DELETE FROM delivery_queue").execute().await();
  }

  /** A message stored the way the send path stores it, in its one statement. */
  private static UUID message(MessageStatus status, boolean enqueue) {
    UUID id = UUID.randomUUID();
    Buffer mime = Buffer.buffer("Subject: t\r\n\r\nbody\r\n");
    OutboundMessage m = new OutboundMessage(id, keyId, domainId, null, "live", "api",
        "<" + id + "@example.com>", "s@example.com", "s@example.com", List.of("r@example.net"),
        List.of(), List.of(), List.of(), "t", new JsonArray(), null, status, mime, null,
        mime.length(), new byte[32], null, List.of(new OutboundMessage.Recipient("r@example.net", "to")),
        enqueue, Instant.now(), dev.postern.send.LocalPlan.NONE);
    new OutboundRepository(pool, new PgOutboundQueue(pool, "producer")).insert(List.of(m)).await();
    return id;
  }

  @Test
  void aClaimCarriesTheMessageAndItsRecipientStatuses() {
    UUID id = enqueue();
    List<Claim> claims = claimer("node-a").claim(10, LONG).await();
    assertThat(claims).singleElement().satisfies(c -> {
      assertThat(c.messageId()).isEqualTo(id);
      assertThat(c.attempts()).isZero();
      assertThat(c.addresses()).containsExactly("r@example.net");
      assertThat(c.statuses()).containsExactly(RecipientStatus.QUEUED);
      assertThat(c.pendingRecipients()).containsExactly("r@example.net");
    });
  }

  /**
   * A claim and a settle are planned once and their cached plan reused (SqlArrays, PgWorkQueue):
   * replanning each call cost PostgreSQL more than executing it. On one connection that caches
   * its statements, as the gateway's pool does; pg_prepared_statements counts per connection.
   * The claim's check fails as soon as it takes a parameter again (PostgreSQL plans a statement
   * with parameters five times before it considers a generic plan); on these small tables the
   * settle would pass even without its sub-selects, which only matter at the bench's sizes.
   */
  @Test
  void claimsAndSettlesReuseTheirCachedPlans() {
    Pool single = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(PgConnectOptions.fromUri(url).setCachePreparedStatements(true))
        .using(vertx).build();
    try {
      OutboundQueue q = new PgOutboundQueue(single, "node-plans");
      for (int i = 0; i < 12; i++) {
        UUID id = enqueue();
        assertThat(q.claim(4, LONG).await()).hasSize(1);
        assertThat(q.settle(new Settlement(id,
            List.of(new Settlement.RecipientUpdate("r@example.net", RecipientStatus.DELIVERED, "250 ok")),
            List.of(new Settlement.Event("delivered", "r@example.net", "relay", "250 ok")),
            MessageStatus.DELIVERED, null, null)).await()).isTrue();
      }
      var plans = single.query("""
              SELECT CASE WHEN statement LIKE '%FOR UPDATE SKIP LOCKED%' THEN 'claim'
                          WHEN statement LIKE '%INSERT INTO outbound_events%' THEN 'settle' END AS kind,
                     generic_plans, custom_plans
              FROM pg_prepared_statements""").execute().await();
      int seen = 0;
      for (var row : plans) {
        String kind = row.getString("kind");
        if (kind == null) {
          continue;
        }
        seen++;
        // PostgreSQL tries five custom plans before it compares; a claim has no parameters.
        assertThat(row.getLong("custom_plans")).as(kind + " custom plans")
            .isLessThanOrEqualTo(kind.equals("claim") ? 0L : 5L);
        assertThat(row.getLong("generic_plans")).as(kind + " generic plans")
            .isGreaterThanOrEqualTo(7L);
      }
      assertThat(seen).as("the claim and the settle statements").isEqualTo(2);
    } finally {
      single.close().await();
    }
  }

  @Test
  void sandboxedMailGetsNoQueueRow() {
    message(MessageStatus.SANDBOXED, false);
    assertThat(claimer("node-a").claim(10, LONG).await()).isEmpty();
  }

  @Test
  void settlingWithARetryBacksOffAndCountsTheAttempt() {
    UUID id = enqueue();
    OutboundQueue a = new PgOutboundQueue(pool, "node-a");
    assertThat(a.claim(10, LONG).await()).hasSize(1);
    boolean held = a.settle(new Settlement(id,
        List.of(new Settlement.RecipientUpdate("r@example.net", RecipientStatus.DEFERRED, "451 later")),
        List.of(new Settlement.Event("deferred", "r@example.net", "relay", "451 later")),
        MessageStatus.DEFERRED, Duration.ofHours(1), "451 later")).await();
    assertThat(held).isTrue();
    assertThat(a.claim(10, LONG).await()).isEmpty();
    assertThat(a.nextDue().await()).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
    assertThat(pool.preparedQuery("SELECT status FROM outbound_messages WHERE id = $1")
        .execute(Tuple.of(id)).await().iterator().next().getString(0)).isEqualTo("deferred");
  }

  @Test
  void concurrentSettlesShareStatementsAndEachReportsItsOwnLease() {
    List<UUID> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(enqueue());
    }
    OutboundQueue a = new PgOutboundQueue(pool, "node-a");
    assertThat(a.claim(30, LONG).await()).hasSize(30);
    // One lease is lost meanwhile (another node took the row over).
    UUID lost = ids.get(7);
    pool.preparedQuery("UPDATE delivery_queue SET lease_owner = 'node-b' WHERE message_id = $1")
        .execute(Tuple.of(lost)).await();
    List<io.vertx.core.Future<Boolean>> settled = new java.util.ArrayList<>();
    for (UUID id : ids) {
      settled.add(a.settle(new Settlement(id,
          List.of(new Settlement.RecipientUpdate("r@example.net", RecipientStatus.DELIVERED, "250 ok")),
          List.of(new Settlement.Event("sent", null, "relay", "250 ok"),
              new Settlement.Event("delivered", "r@example.net", "relay", "250 ok")),
          MessageStatus.DELIVERED, null, null)));
    }
    io.vertx.core.Future.join(settled).await();
    for (int i = 0; i < ids.size(); i++) {
      assertThat(settled.get(i).result()).as("held " + ids.get(i)).isEqualTo(!ids.get(i).equals(lost));
    }
    UUID[] all = ids.toArray(UUID[]::new);
    var counts = pool.preparedQuery("""
            SELECT (SELECT count(DISTINCT xmin::text) FROM outbound_messages WHERE id = ANY($1)) AS commits,
                   (SELECT count(*) FROM outbound_messages WHERE id = ANY($1) AND status = 'delivered') AS delivered,
                   (SELECT count(*) FROM delivery_queue WHERE message_id = ANY($1)) AS queue_rows""")
        .execute(Tuple.tuple().addValue(all)).await().iterator().next();
    assertThat(counts.getLong("commits")).as("settles share statements").isLessThan(15L);
    assertThat(counts.getLong("delivered")).isEqualTo(30);
    assertThat(counts.getLong("queue_rows")).as("only the lost lease's row is left").isEqualTo(1);
    // Events keep their order within each message.
    assertThat(pool.preparedQuery("SELECT array_agg(type ORDER BY id)::text FROM outbound_events WHERE message_id = $1")
        .execute(Tuple.of(ids.get(3))).await().iterator().next().getString(0)).isEqualTo("{queued,sent,delivered}");
  }
}
