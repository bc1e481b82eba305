package dev.postern.delivery.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Migrations;
import dev.postern.keys.KeyVault;
import dev.postern.keys.MasterSecrets;
import dev.postern.keys.Sealed;
import dev.postern.support.PgFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keys come from the domains table, sealed as the admin API seals them, and sign verifiably. */
class DkimKeysIT {

  private static Vertx vertx;
  private static Pool pool;
  private static WorkerExecutor cpu;
  private static KeyVault vault;
  private static KeyPair pair;
  private static DkimKeys keys;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(PgFixture.freshDatabaseUrl()).using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
    cpu = vertx.createSharedWorkerExecutor("test-cpu", 2);
    vault = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    pair = generator.generateKeyPair();
    insertDomain("example.com", "pst2026", pair);
    keys = new DkimKeys(pool, vault, cpu, Clock.systemUTC(), 100, 60_000);
  }

  /** As the admin API stores a domain: PKCS#8 sealed with row id = domain id. */
  static void insertDomain(String name, String selector, KeyPair keyPair) {
    UUID id = UUID.randomUUID();
    Sealed sealed = vault.seal(keyPair.getPrivate().getEncoded(), id, KeyVault.DKIM_KEY_INFO);
    pool.preparedQuery("""
            INSERT INTO domains (id, name, verification_token, dkim_selector, dkim_algorithm,
                                 dkim_public_key, dkim_private_sealed, dkim_private_salt, master_version)
            VALUES ($1, $2, 'token', $3, 'rsa-sha256', $4, $5, $6, $7)""")
        .execute(Tuple.of(id, name, selector,
            Base64.getEncoder().encodeToString(keyPair.getPublic().getEncoded()),
            Buffer.buffer(sealed.ciphertext()), Buffer.buffer(sealed.salt()))
            .addValue(sealed.masterVersion()))
        .await();
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  @Test
  void loadsTheSealedKeyByDomainNameInAnyCase() {
    DkimKey key = keys.forDomain("Example.COM").await().orElseThrow();
    assertThat(key.domain()).isEqualTo("example.com");
    assertThat(key.selector()).isEqualTo("pst2026");
    assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
    assertThat(key.privateKey().getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThat(keys.forDomain("example.com").await().orElseThrow()).isSameAs(key);
  }

  @Test
  void unknownDomainIsEmptyAndFoundOnceAdded() throws Exception {
    assertThat(keys.forDomain("later.example").await()).isEmpty();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    insertDomain("later.example", "s1", generator.generateKeyPair());
    assertThat(keys.forDomain("later.example").await()).isPresent();
  }

  @Test
  void keyLoadedFromTheDatabaseSignsOnTheCpuWorkerAndVerifies() {
    org.junit.jupiter.api.Assumptions.assumeTrue(PythonDkim.available(), PythonDkim::unavailableReason);
    Buffer message = Buffer.buffer(TestMessages.plain());
    DkimSigner signer = new DkimSigner(Clock.systemUTC());
    Buffer header = keys.forDomain("example.com")
        .compose(key -> signer.session(key.orElseThrow()).update(message).signatureHeader(cpu))
        .await();
    String spki = pool.query("SELECT dkim_public_key FROM domains WHERE name = 'example.com'").execute()
        .await().iterator().next().getString(0);
    DkimRecord record = DkimRecord.of("pst2026", "example.com", DkimAlgorithm.RSA_SHA256, spki);
    PythonDkim.Verdict verdict = PythonDkim.verify(
        Buffer.buffer().appendBuffer(header).appendBuffer(message).getBytes(), record);
    assertThat(verdict.verified()).as(verdict.output()).isTrue();
  }

  @Test
  void concurrentLookupsShareOneLoad() {
    DkimKeys fresh = new DkimKeys(pool, vault, cpu, Clock.systemUTC(), 100, 60_000);
    Future<Optional<DkimKey>> a = fresh.forDomain("example.com");
    Future<Optional<DkimKey>> b = fresh.forDomain("EXAMPLE.com");
    assertThat(a.await().orElseThrow()).isSameAs(b.await().orElseThrow());
  }
}
