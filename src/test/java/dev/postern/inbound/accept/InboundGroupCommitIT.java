package dev.postern.inbound.accept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Batcher;
import dev.postern.mailboxes.EncryptionTier;
import dev.postern.smtp.SmtpReplies;
import dev.postern.support.Eventually;
import dev.postern.support.TestGateway;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InboundRepository}'s batches on the real PostgreSQL: accepts gathered into one
 * statement commit once; a message PostgreSQL refuses fails alone (451 4.3.0 at the MX, the
 * sender retries) while its batch siblings commit; a retry's memory still holds inside a batch.
 *
 * <p>The batch is made deterministic: one batch at a time ({@code maxInFlight} 1), and a first
 * "pacer" accept held on a row lock by an open transaction, so every accept submitted meanwhile
 * waits for the next batch together.
 */
class InboundGroupCommitIT {

  private TestGateway gateway;
  private Vertx vertx;
  private Pool pool;
  private UUID mailbox;
  private UUID other;

  @BeforeEach
  void start() {
    gateway = TestGateway.start();
    for (String address : List.of("a@hosted.example", "b@hosted.example")) {
      assertThat(gateway.admin("POST", "/admin/v1/mailboxes", new JsonObject()
          .put("address", address).put("encryption_tier", "plaintext")).statusCode())
          .isEqualTo(201);
    }
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(vertx).build();
    mailbox = mailboxId("a@hosted.example");
    other = mailboxId("b@hosted.example");
  }

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void acceptsGatheredIntoOneBatchCommitOnce() throws Exception {
    List<Future<InboundAcceptor.Accepted>> batch = behindPacer(repository -> {
      List<Future<InboundAcceptor.Accepted>> accepts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        accepts.add(repository.commit(List.of(rawFor(raw(10), mailbox, other)),
            Optional.of("key-" + i)));
      }
      return accepts;
    });
    List<UUID> rawIds = new ArrayList<>();
    for (Future<InboundAcceptor.Accepted> accept : batch) {
      InboundAcceptor.Accepted accepted = await(accept);
      assertThat(accepted.deliveries()).hasSize(2);
      rawIds.add(accepted.rawId());
    }
    assertThat(count("SELECT count(DISTINCT xmin::text) FROM inbound_raw WHERE id = ANY($1::uuid[])",
        (Object) rawIds.toArray(UUID[]::new))).as("commits of the six gathered accepts").isEqualTo(1);
    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE raw_id = ANY($1::uuid[])",
        (Object) rawIds.toArray(UUID[]::new))).isEqualTo(12);
  }

  @Test
  void aPoisonMessageFailsAloneAndItsSiblingsCommit() throws Exception {
    List<Future<InboundAcceptor.Accepted>> batch = behindPacer(repository -> List.of(
        repository.commit(List.of(rawFor(raw(10), mailbox)), Optional.of("sibling-1")),
        // mime_size < 0 breaks a CHECK: PostgreSQL refuses the whole statement it is in.
        repository.commit(List.of(rawFor(raw(-1), mailbox)), Optional.of("poison")),
        repository.commit(List.of(rawFor(raw(10), mailbox)), Optional.empty()),
        // The same message twice in one batch: the batch is refused, then the retry memory
        // lets exactly one of them in.
        repository.commit(List.of(rawFor(raw(10), other)), Optional.of("twin")),
        repository.commit(List.of(rawFor(raw(10), other)), Optional.of("twin"))));
    InboundAcceptor.Accepted first = await(batch.get(0));
    assertThat(first.deliveries()).hasSize(1);
    Throwable poison = failure(batch.get(1));
    assertThat(poison).isInstanceOf(PgException.class);
    SmtpResponse reply = SmtpReplies.ofFailure(poison);
    assertThat(reply.code()).isEqualTo(451);
    assertThat(String.join(" ", reply.details())).startsWith("4.3.0");
    assertThat(await(batch.get(2)).deliveries()).hasSize(1);
    InboundAcceptor.Accepted twin1 = await(batch.get(3));
    InboundAcceptor.Accepted twin2 = await(batch.get(4));
    assertThat(List.of(twin1.duplicate(), twin2.duplicate())).containsExactlyInAnyOrder(true, false);
    UUID kept = twin1.duplicate() ? twin2.rawId() : twin1.rawId();
    assertThat((twin1.duplicate() ? twin1 : twin2).rawId()).as("the duplicate names the first")
        .isEqualTo(kept);
    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE dedupe_key = 'twin'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM inbound_deliveries WHERE dedupe_key = 'poison'")).isZero();
    assertThat(count("SELECT count(*) FROM inbound_raw WHERE mime_size < 0")).isZero();
  }

  @Test
  void aRetryMemoryOlderThanADayNoLongerCounts() throws Exception {
    InboundRepository repository = new InboundRepository(pool);
    InboundAcceptor.Accepted first = await(repository.commit(List.of(rawFor(raw(10), mailbox)),
        Optional.of("day-old")));
    InboundAcceptor.Accepted retry = await(repository.commit(List.of(rawFor(raw(10), mailbox)),
        Optional.of("day-old")));
    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.rawId()).isEqualTo(first.rawId());
    pool.query("UPDATE inbound_dedupe SET created_at = now() - interval '25 hours'").execute()
        .await();
    InboundAcceptor.Accepted later = await(repository.commit(List.of(rawFor(raw(10), mailbox)),
        Optional.of("day-old")));
    assertThat(later.duplicate()).isFalse();
    assertThat(await(DedupeSweeper.create(vertx, pool, 100).sweep())).isZero();
    pool.query("UPDATE inbound_dedupe SET created_at = now() - interval '25 hours'").execute()
        .await();
    assertThat(await(DedupeSweeper.create(vertx, pool, 1).sweep())).isEqualTo(1);
  }

  private interface Submissions {
    List<Future<InboundAcceptor.Accepted>> submit(InboundRepository repository);
  }

  /**
   * Submits a pacer accept that an open transaction holds on its retry-memory row, then the
   * accepts {@code submissions} makes (they gather: one batch in flight at most), then lets the
   * pacer go. Returns the gathered accepts' futures.
   */
  private List<Future<InboundAcceptor.Accepted>> behindPacer(Submissions submissions)
      throws Exception {
    InboundRepository repository = new InboundRepository(vertx, pool,
        new Batcher.Settings(1000, 64L << 20, Duration.ofSeconds(5), 1));
    SqlConnection holder = pool.getConnection().await();
    holder.query("BEGIN").execute().await();
    holder.preparedQuery("INSERT INTO inbound_dedupe (mailbox_id, dedupe_key, raw_id)"
        + " VALUES ($1, 'pacer', $2)").execute(Tuple.of(mailbox, UUID.randomUUID())).await();
    Future<InboundAcceptor.Accepted> pacer = repository.commit(List.of(rawFor(raw(10), mailbox)),
        Optional.of("pacer"));
    // The pacer's statement is running (waiting on the row) once PostgreSQL shows it waiting.
    Eventually.until(Duration.ofSeconds(30), () -> count("SELECT count(*) FROM pg_stat_activity"
        + " WHERE wait_event_type = 'Lock' AND query LIKE '%inbound_dedupe%'") > 0,
        () -> "the pacer's statement never waited on the held row");
    List<Future<InboundAcceptor.Accepted>> gathered = submissions.submit(repository);
    holder.query("COMMIT").execute().await();
    holder.close().await();
    assertThat(await(pacer).duplicate()).as("the pacer found the holder's memory").isTrue();
    return gathered;
  }

  private static InboundRepository.RawFor rawFor(InboundRepository.Raw raw, UUID... mailboxes) {
    List<ResolvedRecipient> targets = new ArrayList<>();
    for (UUID id : mailboxes) {
      targets.add(new ResolvedRecipient("rcpt-" + id + "@hosted.example", id, "x@hosted.example",
          EncryptionTier.PLAINTEXT, null, null, false));
    }
    return new InboundRepository.RawFor(raw, targets);
  }

  private static InboundRepository.Raw raw(long size) {
    return new InboundRepository.Raw(UUID.randomUUID(), "mx", "192.0.2.1", "client.example",
        "sender@elsewhere.example", false, null, Buffer.buffer("Subject: x\r\n\r\nhello\r\n"),
        null, size);
  }

  private UUID mailboxId(String address) {
    return pool.preparedQuery("SELECT id FROM mailboxes WHERE address = $1")
        .execute(Tuple.of(address)).await().iterator().next().getUUID(0);
  }

  private long count(String sql, Object... params) {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).await().iterator().next()
        .getLong(0);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + future.result());
  }
}
