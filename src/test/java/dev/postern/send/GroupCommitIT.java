package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Migrations;
import dev.postern.queue.MessageStatus;
import dev.postern.queue.PgOutboundQueue;
import dev.postern.support.PgFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group commit on a real PostgreSQL (issue #11): concurrent accepts share commits, every member
 * is readable once its future completes, a bad member fails alone, a lone request is not held.
 * Commits are counted exactly as the distinct transaction ids ({@code xmin}) of the rows.
 */
class GroupCommitIT {

  private static Vertx vertx;
  private static Pool pool;
  private static UUID keyId;
  private static UUID domainId;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(8))
        .connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
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

  private static OutboundRepository repository(GroupCommit.Settings settings) {
    return new OutboundRepository(vertx, pool, new PgOutboundQueue(pool, "producer"), settings, true);
  }

  private static OutboundMessage message(UUID apiKey, String subject) {
    UUID id = UUID.randomUUID();
    Buffer mime = Buffer.buffer("Subject: " + subject + "\r\n\r\nbody\r\n");
    return new OutboundMessage(id, apiKey, domainId, null, "live", "api",
        "<" + id + "@example.com>", "s@example.com", "s@example.com",
        List.of("r@example.net", "quote\"back\\slash@example.net"), List.of(), List.of(), List.of(),
        subject, new JsonArray(), null, MessageStatus.QUEUED, mime, null, mime.length(), new byte[32],
        null, List.of(new OutboundMessage.Recipient("r@example.net", "to")), true, Instant.now(), LocalPlan.NONE);
  }

  private static OutboundMessage good() {
    return message(keyId, "ok");
  }

  /** Refused by PostgreSQL (foreign key), but only when it reaches the database. */
  private static OutboundMessage bad() {
    return message(UUID.randomUUID(), "bad");
  }

  private static List<UUID> ids(List<OutboundMessage> messages) {
    return messages.stream().map(OutboundMessage::id).toList();
  }

  private static long stored(List<UUID> ids) {
    return pool.preparedQuery("SELECT count(*) FROM outbound_messages WHERE id = ANY($1)")
        .execute(Tuple.tuple().addValue(ids.toArray(UUID[]::new))).await().iterator().next().getLong(0);
  }

  private static long commits(List<UUID> ids) {
    return pool.preparedQuery("SELECT count(DISTINCT xmin::text) FROM outbound_messages WHERE id = ANY($1)")
        .execute(Tuple.tuple().addValue(ids.toArray(UUID[]::new))).await().iterator().next().getLong(0);
  }

  @Test
  void concurrentAcceptsShareFewCommitsAndAreAllReadableWhenAnswered() {
    OutboundRepository outbound = repository(new GroupCommit.Settings(64, 4 << 20, Duration.ofMillis(1), 2));
    List<OutboundMessage> messages = new ArrayList<>();
    List<Future<Void>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      OutboundMessage m = good();
      messages.add(m);
      // Each accept asks from an event loop, as the HTTP verticles do.
      answers.add(vertx.getOrCreateContext().<Void>executeBlocking(() -> null)
          .compose(v -> outbound.insert(List.of(m))));
    }
    Future.all(answers).await();
    List<UUID> ids = ids(messages);
    assertThat(stored(ids)).isEqualTo(200);
    // At most 64 a batch, so at least 4 commits; one per message without group commit.
    assertThat(commits(ids)).isBetween(4L, 50L);
    // Recipients, first events and queue rows went with them.
    assertThat(pool.preparedQuery("""
            SELECT (SELECT count(*) FROM outbound_recipients WHERE message_id = ANY($1)) AS recipients,
                   (SELECT count(*) FROM outbound_events WHERE message_id = ANY($1) AND type = 'queued')
                       AS events,
                   (SELECT count(*) FROM delivery_queue WHERE message_id = ANY($1)) AS queue_rows,
                   (SELECT count(*) FROM outbound_messages WHERE id = ANY($1)
                       AND to_addresses[2] = 'quote"back\\slash@example.net') AS escaped""")
        .execute(Tuple.tuple().addValue(ids.toArray(UUID[]::new))).await().iterator().next().toJson()
        .getMap().values()).containsOnly(200L);
  }

  @Test
  void aBadMemberFailsAloneAndABatchSendStaysAllOrNothing() {
    // One batch in flight at a time: the first member commits alone, all the others (issued
    // while it is in flight) share the second batch, bad ones included.
    OutboundRepository outbound = repository(new GroupCommit.Settings(256, 4 << 20, Duration.ZERO, 1));
    List<OutboundMessage> goods = new ArrayList<>();
    List<Future<Void>> goodAnswers = new ArrayList<>();
    OutboundMessage lone = good();
    goods.add(lone);
    goodAnswers.add(outbound.insert(List.of(lone)));
    OutboundMessage badAlone = bad();
    Future<Void> badAnswer = outbound.insert(List.of(badAlone));
    List<OutboundMessage> mixedSend = List.of(good(), bad(), good());
    Future<Void> mixedAnswer = outbound.insert(mixedSend);
    List<OutboundMessage> goodSend = List.of(good(), good());
    goods.addAll(goodSend);
    goodAnswers.add(outbound.insert(goodSend));
    for (int i = 0; i < 20; i++) {
      OutboundMessage m = good();
      goods.add(m);
      goodAnswers.add(outbound.insert(List.of(m)));
    }
    Future.all(goodAnswers).await();
    assertThat(badAnswer.transform(ar -> Future.succeededFuture(ar.failed())).await()).isTrue();
    assertThat(mixedAnswer.transform(ar -> Future.succeededFuture(ar.failed())).await()).isTrue();
    assertThat(badAnswer.cause()).hasMessageContaining("foreign key");

    assertThat(stored(ids(goods))).isEqualTo(goods.size());
    assertThat(stored(List.of(badAlone.id()))).isZero();
    assertThat(stored(ids(mixedSend))).as("a batch send commits all or nothing").isZero();
  }

  @Test
  void aLoneRequestIsNotHeldBeyondTheWaitBound() {
    Duration wait = Duration.ofSeconds(2);
    OutboundRepository outbound = repository(new GroupCommit.Settings(256, 4 << 20, wait, 1));
    // Nothing shared yet: a lone request goes at once.
    assertThat(timed(outbound, 1)).isLessThan(wait);
    // A shared batch makes siblings likely: the next lone request gathers for at most the wait…
    timed(outbound, 10);
    OutboundMessage first = good();
    Future<Void> held = outbound.insert(List.of(first));
    OutboundMessage sibling = good();
    Future<Void> joined = outbound.insert(List.of(sibling));
    long started = System.nanoTime();
    Future.all(held, joined).await();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(wait.plusSeconds(5));
    assertThat(commits(List.of(first.id(), sibling.id()))).as("the sibling joined its batch").isEqualTo(1);
    // …and, since that batch was shared, so does the next one; after a lone batch, none waits.
    assertThat(timed(outbound, 1)).isLessThan(wait.plusSeconds(5));
    assertThat(timed(outbound, 1)).isLessThan(wait);
  }

  /** Commits {@code n} single-message members at once; how long until all were answered. */
  private static Duration timed(OutboundRepository outbound, int n) {
    List<Future<Void>> answers = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < n; i++) {
      answers.add(outbound.insert(List.of(good())));
    }
    Future.all(answers).await();
    return Duration.ofNanos(System.nanoTime() - started);
  }

  @Test
  void messagesRememberingTheirResendKeyShareCommitsAndAResendFindsTheFirst() {
    OutboundRepository outbound = repository(new GroupCommit.Settings(64, 4 << 20, Duration.ofMillis(1), 2));
    List<OutboundMessage> messages = new ArrayList<>();
    List<Future<java.util.Optional<OutboundRepository.IdempotencyRecord>>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      OutboundMessage m = good();
      messages.add(m);
      String resendKey = "smtp:test:" + m.id();
      answers.add(vertx.getOrCreateContext().<Void>executeBlocking(() -> null)
          .compose(v -> outbound.insertRemembered(m, keyId, resendKey, new byte[] {1, 2, 3})));
    }
    Future.all(answers).await();
    assertThat(answers).allSatisfy(a -> assertThat(a.result()).isEmpty());
    List<UUID> ids = ids(messages);
    assertThat(stored(ids)).isEqualTo(100);
    // One commit per message before (each insertIdempotent its own transaction).
    assertThat(commits(ids)).isBetween(2L, 50L);
    // The records committed with their messages: the same key again finds the first id and
    // commits nothing.
    OutboundMessage again = good();
    java.util.Optional<OutboundRepository.IdempotencyRecord> replay = outbound.insertRemembered(again,
        keyId, "smtp:test:" + messages.get(7).id(), new byte[] {1, 2, 3}).await();
    assertThat(replay).hasValueSatisfying(r -> assertThat(r.messageIds()).containsExactly(messages.get(7).id()));
    assertThat(stored(List.of(again.id()))).isZero();
  }

  /**
   * Twins — the same resend key at the same instant (a client that resent before the first reply
   * came) — commit once: the record's primary key arbitrates, within a batch and across batches.
   */
  @Test
  void twinsWithOneResendKeyCommitOnceAndTheOthersReplayIt() {
    OutboundRepository outbound = repository(new GroupCommit.Settings(64, 4 << 20, Duration.ofMillis(20), 1));
    // A batch in flight, so the twins gather behind it into the next one.
    Future<Void> ahead = outbound.insert(List.of(good()));
    String resendKey = "smtp:twins:" + UUID.randomUUID();
    List<OutboundMessage> twins = new ArrayList<>();
    List<Future<java.util.Optional<OutboundRepository.IdempotencyRecord>>> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      OutboundMessage m = good();
      twins.add(m);
      answers.add(outbound.insertRemembered(m, keyId, resendKey, new byte[] {4, 5, 6}));
    }
    ahead.await();
    Future.all(answers).await();
    List<UUID> committed = new ArrayList<>();
    for (int i = 0; i < twins.size(); i++) {
      if (answers.get(i).result().isEmpty()) {
        committed.add(twins.get(i).id());
      }
    }
    assertThat(committed).as("committed once").hasSize(1);
    assertThat(answers).allSatisfy(a -> a.result().ifPresent(r -> assertThat(r.messageIds()).isEqualTo(committed)));
    assertThat(stored(ids(twins))).isEqualTo(1);
  }

  /**
   * New keys and a key already taken in one batch: the statement that writes records with their
   * messages is refused by its guard, and the batch's transaction commits the new ones together
   * and answers the taken one with its first message.
   */
  @Test
  void aTakenKeyAmongNewOnesReplaysAndTheNewOnesStillCommitTogether() {
    OutboundRepository outbound = repository(new GroupCommit.Settings(64, 4 << 20, Duration.ofMillis(20), 1));
    OutboundMessage first = good();
    String takenKey = "smtp:taken:" + first.id();
    assertThat(outbound.insertRemembered(first, keyId, takenKey, new byte[] {7}).await()).isEmpty();

    Future<Void> ahead = outbound.insert(List.of(good())); // the others gather behind it
    List<OutboundMessage> fresh = new ArrayList<>();
    List<Future<java.util.Optional<OutboundRepository.IdempotencyRecord>>> freshAnswers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      OutboundMessage m = good();
      fresh.add(m);
      freshAnswers.add(outbound.insertRemembered(m, keyId, "smtp:new:" + m.id(), new byte[] {8}));
    }
    OutboundMessage resent = good();
    Future<java.util.Optional<OutboundRepository.IdempotencyRecord>> replay =
        outbound.insertRemembered(resent, keyId, takenKey, new byte[] {7});
    ahead.await();
    Future.all(freshAnswers).await();

    assertThat(freshAnswers).allSatisfy(a -> assertThat(a.result()).isEmpty());
    assertThat(replay.await()).hasValueSatisfying(r -> assertThat(r.messageIds()).containsExactly(first.id()));
    assertThat(stored(ids(fresh))).isEqualTo(5);
    assertThat(commits(ids(fresh))).as("one batch, one commit").isEqualTo(1);
    assertThat(stored(List.of(resent.id()))).isZero();
    assertThat(pool.preparedQuery("SELECT count(*) FROM idempotency_records WHERE idempotency_key LIKE 'smtp:new:%'"
            + " AND message_ids[1] = ANY($1)")
        .execute(Tuple.tuple().addValue(ids(fresh).toArray(UUID[]::new))).await().iterator().next().getLong(0))
        .isEqualTo(5);
  }

  /**
   * A record past its 24 hours but not swept yet: the new keys' plain insert collides with it,
   * and the batch's transaction takes the key over — the message commits, nothing replays.
   */
  @Test
  void anExpiredRecordNotYetSweptIsTakenOverByANewMessage() {
    OutboundRepository outbound = repository(new GroupCommit.Settings(64, 4 << 20, Duration.ofMillis(1), 1));
    OutboundMessage old = good();
    String key = "smtp:expired:" + old.id();
    assertThat(outbound.insertRemembered(old, keyId, key, new byte[] {9}).await()).isEmpty();
    pool.preparedQuery("UPDATE idempotency_records SET expires_at = now() - interval '1 minute'"
        + " WHERE idempotency_key = $1").execute(Tuple.of(key)).await();

    OutboundMessage fresh = good();
    assertThat(outbound.insertRemembered(fresh, keyId, key, new byte[] {9}).await()).isEmpty();

    assertThat(stored(List.of(fresh.id()))).isEqualTo(1);
    assertThat(pool.preparedQuery("SELECT message_ids[1] FROM idempotency_records WHERE idempotency_key = $1"
            + " AND expires_at > now()").execute(Tuple.of(key)).await().iterator().next().getUUID(0))
        .isEqualTo(fresh.id());
  }
}
