package dev.postern.inbound.pgp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.mailboxes.PgpPublicKeys;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the encryptor's CPU goes, printed rather than asserted (timings depend on the machine):
 * parsing an armoured key (once per key and node, then cached), {@code to(...)} with a cached
 * key (session key generation and one public-key operation per recipient, every message), and
 * the bulk AES-256-CFB + SHA-1 (MDC) rate of {@code update}. Run it with
 * {@code mvn -B -o test -Dtest=OpenPgpStreamEncryptorCostTest} and read the "pgp cost" lines.
 */
class OpenPgpStreamEncryptorCostTest {

  private static final int ROUNDS = 100;

  @Test
  void printsTheCostOfParsingKeysStartingMessagesAndEncrypting() {
    for (TestPgpKeys keys : List.of(TestPgpKeys.rsa2048(), TestPgpKeys.rsa3072(),
        TestPgpKeys.curve25519())) {
      String armoured = keys.armouredPublic();
      String name = keys.publicRing().getPublicKey().getUserIDs().next();
      for (int i = 0; i < ROUNDS; i++) { // warm-up: the JIT, not the first message, is measured
        PgpPublicKeys.encryptionKey(PgpPublicKeys.parse(armoured));
        OpenPgpStreamEncryptor.to(List.of(armoured)).update(Buffer.buffer());
      }
      long parsedId = 0;
      long start = System.nanoTime();
      for (int i = 0; i < ROUNDS; i++) {
        parsedId = PgpPublicKeys.encryptionKey(PgpPublicKeys.parse(armoured)).getKeyID();
      }
      double parseMicros = (System.nanoTime() - start) / 1e3 / ROUNDS;
      int headerBytes = 0;
      start = System.nanoTime();
      for (int i = 0; i < ROUNDS; i++) {
        headerBytes = OpenPgpStreamEncryptor.to(List.of(armoured)).update(Buffer.buffer()).length();
      }
      double startMicros = (System.nanoTime() - start) / 1e3 / ROUNDS;
      System.out.printf("pgp cost: %s: parse + pick key %.0f µs; to() with the key cached"
          + " (session key + PKESK) %.0f µs%n", name, parseMicros, startMicros);
      assertThat(parsedId).isEqualTo(keys.encryptionKeyId());
      assertThat(headerBytes).isPositive(); // the PKESK packets come out with the first update
    }
    OpenPgpStreamEncryptor encryptor =
        OpenPgpStreamEncryptor.to(List.of(TestPgpKeys.curve25519().armouredPublic()));
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    int chunks = 512; // 32 MiB
    long out = 0;
    long start = System.nanoTime();
    for (int i = 0; i < chunks; i++) {
      out += encryptor.update(chunk).length();
    }
    out += encryptor.finish().length();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("pgp cost: update() 64 KiB chunks: %.0f MiB/s (%.0f µs per chunk)%n",
        chunks / 16.0 / seconds, seconds * 1e6 / chunks);
    assertThat(out).isGreaterThan((long) chunks * chunk.length());
  }
}
