package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.keys.ApiKeySecret;
import dev.postern.keys.KeyFormat;
import dev.postern.keys.KeyMode;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.keys.StoredKey;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.support.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 items 2 and 3 in the key cache, with the database replaced by lookups the test
 * completes by hand, so interleavings are exact: a lookup racing a revoke, a flood of made-up keys,
 * a key refreshed ahead of expiry.
 */
class KeyAuthenticatorTest {

  private static final long TTL = 60_000;
  private static Vertx vertx;
  private static WorkerExecutor cpu;
  private static final KeyFormat FORMAT = new KeyFormat();
  private static final KeyVault VAULT = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));

  /** Key rows the test hands out, one pending promise per lookup started. */
  private static final class HandRows implements KeyRows {
    record Lookup(String prefix, Promise<Optional<StoredKey>> answer) {}

    final List<Lookup> lookups = new ArrayList<>();

    @Override
    public synchronized Future<Optional<StoredKey>> findByLookupPrefix(String prefix) {
      Promise<Optional<StoredKey>> answer = Promise.promise();
      lookups.add(new Lookup(prefix, answer));
      return answer.future();
    }

    @Override
    public Future<Optional<StoredKey>> find(UUID id) {
      throw new UnsupportedOperationException();
    }

    synchronized Lookup last() {
      return lookups.get(lookups.size() - 1);
    }

    synchronized int count() {
      return lookups.size();
    }
  }

  private HandRows rows;
  private ManualClock clock;
  private KeyAuthenticator authenticator;
  private ApiKeySecret secret;
  private StoredKey row;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    cpu = vertx.createSharedWorkerExecutor("key-test-cpu", 2);
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void setUp() {
    rows = new HandRows();
    clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    authenticator = new KeyAuthenticator(FORMAT, rows, VAULT, cpu, clock,
        KeyAuthenticator.Settings.of(1000, TTL));
    secret = FORMAT.generate(KeyMode.LIVE);
    row = row(secret, null);
  }

  private static StoredKey row(ApiKeySecret secret, Instant revokedAt) {
    UUID id = UUID.randomUUID();
    return new StoredKey(id, "k", KeyMode.LIVE, secret.lookupPrefix(),
        VAULT.seal(secret.plaintextBytes(), id, KeyVault.API_KEY_INFO), List.of("emails:send"),
        UUID.randomUUID(), "bot@example.com", UUID.randomUUID(), "example.com", 1000, null,
        revokedAt, null, null, Instant.EPOCH);
  }

  private static StoredKey revoked(StoredKey key) {
    return new StoredKey(key.id(), key.name(), key.mode(), key.lookupPrefix(), key.sealed(),
        key.scopes(), key.mailboxId(), key.mailboxAddress(), key.domainId(), key.domainName(),
        key.rateLimitPerHour(), key.expiresAt(), Instant.EPOCH, null, null, key.createdAt());
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  /** Verifies once, answering its lookup with {@code answer} when one is started. */
  private AuthenticatedKey verifyLoading(ApiKeySecret presented, StoredKey answer) throws Exception {
    int before = rows.count();
    Future<AuthenticatedKey> verified = authenticator.verify(presented.plaintext());
    if (rows.count() > before) {
      rows.last().answer().complete(Optional.ofNullable(answer));
    }
    return await(verified);
  }

  @Test
  void aLookupThatRacedARevokeIsNotCached() throws Exception {
    Future<AuthenticatedKey> first = authenticator.verify(secret.plaintext());
    assertThat(rows.count()).isEqualTo(1);
    // The revoke commits and its notification arrives while the lookup is still in flight...
    authenticator.invalidate(secret.lookupPrefix());
    // ...and then the lookup returns the row as it was before the revoke.
    rows.last().answer().complete(Optional.of(row));
    assertThat(await(first).id()).isEqualTo(row.id());

    // The next request must not be served that stale row from the cache: it reads again.
    Future<AuthenticatedKey> second = authenticator.verify(secret.plaintext());
    assertThat(rows.count()).as("a fresh lookup after the invalidation").isEqualTo(2);
    rows.last().answer().complete(Optional.of(revoked(row)));
    assertThatThrownBy(() -> await(second)).isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void aRequestAfterAnInvalidationDoesNotJoinALookupStartedBeforeIt() throws Exception {
    Future<AuthenticatedKey> before = authenticator.verify(secret.plaintext());
    authenticator.invalidate(secret.lookupPrefix());
    Future<AuthenticatedKey> after = authenticator.verify(secret.plaintext());
    assertThat(rows.count()).isEqualTo(2);
    rows.lookups.get(0).answer().complete(Optional.of(row));
    rows.lookups.get(1).answer().complete(Optional.of(revoked(row)));
    assertThat(await(before).id()).isEqualTo(row.id());
    assertThatThrownBy(() -> await(after)).isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void aFloodOfMadeUpKeysDoesNotTakeTheLookupSlotsOfARealKey() throws Exception {
    assertThat(verifyLoading(secret, row).id()).isEqualTo(row.id());
    clock.advance(Duration.ofMillis(TTL + 1)); // its cache entry has expired
    // Made-up keys with valid checksums and fresh prefixes, whose lookups never finish.
    int refused = 0;
    for (int i = 0; i < 100; i++) {
      Future<AuthenticatedKey> madeUp = authenticator.verify(FORMAT.generate(KeyMode.LIVE).plaintext());
      if (madeUp.failed() && madeUp.cause() instanceof Refusal r && r.reason() == Reason.UNAVAILABLE) {
        refused++;
      }
    }
    assertThat(rows.count() - 1).as("made-up keys get the small unknown budget only").isEqualTo(16);
    assertThat(refused).isEqualTo(84);

    Future<AuthenticatedKey> real = authenticator.verify(secret.plaintext());
    assertThat(rows.count()).as("the real key still gets a lookup").isEqualTo(18);
    rows.last().answer().complete(Optional.of(row));
    assertThat(await(real).id()).isEqualTo(row.id());
  }

  @Test
  void aKeyNearExpiryIsServedFromTheCacheWhileItIsRefreshed() throws Exception {
    assertThat(verifyLoading(secret, row).id()).isEqualTo(row.id());
    clock.advance(Duration.ofMillis(TTL * 4 / 5));
    // Served at once although its refresh has not answered.
    Future<AuthenticatedKey> served = authenticator.verify(secret.plaintext());
    assertThat(await(served).id()).isEqualTo(row.id());
    assertThat(rows.count()).as("one refresh started").isEqualTo(2);
    // The refresh finds it revoked: the cache takes the new row.
    rows.last().answer().complete(Optional.of(revoked(row)));
    assertThatThrownBy(() -> await(authenticator.verify(secret.plaintext())))
        .isInstanceOf(UnauthorizedException.class);
    assertThat(rows.count()).isEqualTo(2);
  }

  @Test
  void aRefreshKeepsTheEntryAliveAcrossItsOriginalExpiry() throws Exception {
    verifyLoading(secret, row);
    clock.advance(Duration.ofMillis(TTL * 4 / 5));
    await(authenticator.verify(secret.plaintext()));
    rows.last().answer().complete(Optional.of(row));
    clock.advance(Duration.ofMillis(TTL / 2)); // past the first load's expiry
    assertThat(await(authenticator.verify(secret.plaintext())).id()).isEqualTo(row.id());
    assertThat(rows.count()).as("no lookup: the refreshed entry is live").isEqualTo(2);
  }
}
