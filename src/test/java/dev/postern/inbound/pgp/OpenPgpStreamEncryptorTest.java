package dev.postern.inbound.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.inbound.pgp.PgpDecryption.Decrypted;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenPgpStreamEncryptorTest {

  static byte[] encrypt(List<String> keys, byte[] plaintext, int chunk) {
    OpenPgpStreamEncryptor encryptor = OpenPgpStreamEncryptor.to(keys);
    Buffer out = Buffer.buffer();
    for (int at = 0; at < plaintext.length; at += chunk) {
      int length = Math.min(chunk, plaintext.length - at);
      out.appendBuffer(encryptor.update(Buffer.buffer().appendBytes(plaintext, at, length)));
    }
    return out.appendBuffer(encryptor.finish()).getBytes();
  }

  static byte[] sampleMail(int size) {
    byte[] line = ("Subject: quarterly numbers\r\nFrom: a@example.test\r\n\r\nRevenue rose "
        + "by eleven percent; the board meets on Tuesday.\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] mail = new byte[size];
    for (int i = 0; i < size; i++) {
      mail[i] = line[i % line.length];
    }
    return mail;
  }

  static void assertShape(Decrypted decrypted, List<Long> recipients) {
    assertThat(decrypted.recipientKeyIds()).containsExactlyElementsOf(recipients);
    assertThat(decrypted.symmetricAlgorithm()).isEqualTo(SymmetricKeyAlgorithmTags.AES_256);
    assertThat(decrypted.integrityChecked()).isTrue();
    assertThat(decrypted.innerPacket()).isEqualTo("PGPLiteralData"); // not PGPCompressedData
    assertThat(decrypted.fileName()).isEqualTo("message.eml");
  }

  private static void roundTrip(TestPgpKeys keys) throws Exception {
    byte[] plaintext = sampleMail(200_000);
    byte[] ciphertext = encrypt(List.of(keys.armouredPublic()), plaintext, 8192);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Decrypted decrypted = PgpDecryption.decrypt(new ByteArrayInputStream(ciphertext), keys, out);
    assertShape(decrypted, List.of(keys.encryptionKeyId()));
    assertThat(out.toByteArray()).isEqualTo(plaintext);
  }

  @Test
  void rsa2048RoundTripsToTheEncryptionSubkey() throws Exception {
    roundTrip(TestPgpKeys.rsa2048());
  }

  @Test
  void rsa3072RoundTripsToTheEncryptionSubkey() throws Exception {
    roundTrip(TestPgpKeys.rsa3072());
  }

  @Test
  void curve25519RoundTripsToTheEcdhSubkey() throws Exception {
    roundTrip(TestPgpKeys.curve25519());
  }

  @Test
  void everyRecipientDecryptsTheOneMessage() throws Exception {
    List<TestPgpKeys> recipients =
        List.of(TestPgpKeys.rsa2048(), TestPgpKeys.curve25519(), TestPgpKeys.rsa3072());
    byte[] plaintext = sampleMail(70_000);
    byte[] ciphertext = encrypt(recipients.stream().map(TestPgpKeys::armouredPublic).toList(),
        plaintext, 4096);
    List<Long> ids = recipients.stream().map(TestPgpKeys::encryptionKeyId).toList();
    for (TestPgpKeys keys : recipients) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertShape(PgpDecryption.decrypt(new ByteArrayInputStream(ciphertext), keys, out), ids);
      assertThat(out.toByteArray()).isEqualTo(plaintext);
    }
  }

  @Test
  void theSameKeyTwiceGetsOneSessionKeyPacket() throws Exception {
    TestPgpKeys keys = TestPgpKeys.curve25519();
    byte[] ciphertext = encrypt(List.of(keys.armouredPublic(), keys.armouredPublic()),
        sampleMail(10), 10);
    Decrypted decrypted = PgpDecryption.decrypt(new ByteArrayInputStream(ciphertext), keys,
        OutputStream.nullOutputStream());
    assertThat(decrypted.recipientKeyIds()).containsExactly(keys.encryptionKeyId());
  }

  @Test
  void emptyAndOneByteMessagesRoundTrip() throws Exception {
    TestPgpKeys keys = TestPgpKeys.rsa2048();
    for (byte[] plaintext : new byte[][] {new byte[0], {'x'}}) {
      OpenPgpStreamEncryptor encryptor = OpenPgpStreamEncryptor.to(List.of(keys.armouredPublic()));
      Buffer ciphertext = Buffer.buffer();
      if (plaintext.length > 0) {
        ciphertext.appendBuffer(encryptor.update(Buffer.buffer(plaintext)));
      }
      ciphertext.appendBuffer(encryptor.finish());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Decrypted decrypted = PgpDecryption.decrypt(
          new ByteArrayInputStream(ciphertext.getBytes()), keys, out);
      assertShape(decrypted, List.of(keys.encryptionKeyId()));
      assertThat(out.toByteArray()).isEqualTo(plaintext);
    }
  }

  @Test
  void thirtyMebibytesStreamThroughBoundedBuffers(@TempDir Path dir) throws Exception {
    TestPgpKeys keys = TestPgpKeys.curve25519();
    long size = 30L << 20;
    int chunk = 65_521; // prime: chunks never line up with the 64 KiB partial packets
    MessageDigest plainHash = MessageDigest.getInstance("SHA-256");
    Path ciphertext = dir.resolve("message.pgp");
    OpenPgpStreamEncryptor encryptor = OpenPgpStreamEncryptor.to(List.of(keys.armouredPublic()));
    long in = 0;
    long out = 0;
    long mostBehind = 0;
    try (OutputStream file = Files.newOutputStream(ciphertext)) {
      byte[] bytes = new byte[chunk];
      while (in < size) {
        int length = (int) Math.min(chunk, size - in);
        for (int i = 0; i < length; i++) {
          bytes[i] = (byte) ((in + i) * 2654435761L >>> 13);
        }
        plainHash.update(bytes, 0, length);
        Buffer produced = encryptor.update(Buffer.buffer().appendBytes(bytes, 0, length));
        in += length;
        out += produced.length();
        file.write(produced.getBytes());
        mostBehind = Math.max(mostBehind, in - out);
      }
      Buffer last = encryptor.finish();
      assertThat(last.length()).isLessThan(3 * OpenPgpStreamEncryptor.PARTIAL_CHUNK);
      file.write(last.getBytes());
    }
    // What the encryptor holds back is at most its two packet buffers, whatever the size.
    assertThat(mostBehind).isLessThanOrEqualTo(2L * OpenPgpStreamEncryptor.PARTIAL_CHUNK + chunk);
    MessageDigest decryptedHash = MessageDigest.getInstance("SHA-256");
    try (InputStream file = Files.newInputStream(ciphertext);
        OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), decryptedHash)) {
      Decrypted decrypted = PgpDecryption.decrypt(file, keys, sink);
      assertShape(decrypted, List.of(keys.encryptionKeyId()));
      assertThat(decrypted.plaintextBytes()).isEqualTo(size);
    }
    assertThat(HexFormat.of().formatHex(decryptedHash.digest()))
        .isEqualTo(HexFormat.of().formatHex(plainHash.digest()));
  }

  @Test
  void noThirtyTwoByteWindowOfThePlaintextAppearsInTheCiphertext() {
    byte[] plaintext = sampleMail(256 * 1024);
    byte[] ciphertext = encrypt(List.of(TestPgpKeys.rsa2048().armouredPublic()), plaintext, 1000);
    Set<String> windows = new HashSet<>();
    for (int i = 0; i + 32 <= plaintext.length; i++) {
      windows.add(new String(plaintext, i, 32, StandardCharsets.ISO_8859_1));
    }
    assertThat(windows).hasSizeGreaterThan(10); // the sample repeats, but not one window only
    int found = 0;
    for (int i = 0; i + 32 <= ciphertext.length; i++) {
      if (windows.contains(new String(ciphertext, i, 32, StandardCharsets.ISO_8859_1))) {
        found++;
      }
    }
    assertThat(found).isZero();
    // The check itself works: the plaintext framed by other bytes is found.
    byte[] leaky = Buffer.buffer("junk").appendBytes(plaintext, 5000, 40).getBytes();
    assertThat(windows.contains(new String(leaky, 6, 32, StandardCharsets.ISO_8859_1))).isTrue();
  }

  @Test
  void badKeysAreRefusedNamingWhichOne() {
    String good = TestPgpKeys.curve25519().armouredPublic();
    assertThatThrownBy(() -> OpenPgpStreamEncryptor.to(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    assertThatThrownBy(() -> OpenPgpStreamEncryptor.to(List.of(good, "not a key")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("public key 2: the key must be an ASCII-armoured OpenPGP public key block");
    String signOnly = resource("/pgp/sign-only.pub.asc");
    assertThatThrownBy(() -> OpenPgpStreamEncryptor.to(List.of(signOnly)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("public key 1: the key has no key that can encrypt");
    String corrupted = good.replace(good.substring(200, 260), "A".repeat(60));
    assertThatThrownBy(() -> OpenPgpStreamEncryptor.to(List.of(corrupted)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("public key 1: ");
  }

  @Test
  void aFinishedMessageTakesNoMore() {
    OpenPgpStreamEncryptor encryptor =
        OpenPgpStreamEncryptor.to(List.of(TestPgpKeys.rsa2048().armouredPublic()));
    assertThat(encryptor.finish().length()).isPositive();
    assertThatThrownBy(() -> encryptor.update(Buffer.buffer("late")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(encryptor::finish).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theKeyCacheKeepsTheParsedKeyAndForgetsTheEldest() {
    EncryptionKeyCache cache = new EncryptionKeyCache(2);
    String a = TestPgpKeys.rsa2048().armouredPublic();
    String b = TestPgpKeys.curve25519().armouredPublic();
    String c = TestPgpKeys.rsa3072().armouredPublic();
    assertThat(cache.encryptionKey(a).getKeyID()).isEqualTo(TestPgpKeys.rsa2048().encryptionKeyId());
    assertThat(cache.encryptionKey(a)).isSameAs(cache.encryptionKey(a));
    cache.encryptionKey(b);
    cache.encryptionKey(a); // a is now the most recently used
    cache.encryptionKey(c); // evicts b
    assertThat(cache.size()).isEqualTo(2);
    var aKey = cache.encryptionKey(a);
    assertThat(cache.encryptionKey(a)).isSameAs(aKey);
    assertThat(cache.size()).isEqualTo(2);
  }

  static String resource(String name) {
    try (InputStream in = OpenPgpStreamEncryptorTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
