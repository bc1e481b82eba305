package dev.postern.delivery.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #5: signatures Postern produces verify with an independent verifier, Debian's
 * {@code python3-dkim}, given our published DNS record; and tampering makes them fail.
 */
class DkimIndependentVerificationTest {

  private static KeyPair rsaPair;
  private static KeyPair edPair;
  private static DkimKey rsa;
  private static DkimKey ed;
  private static DkimRecord rsaRecord;
  private static DkimRecord edRecord;
  private final DkimSigner signer = new DkimSigner(Clock.systemUTC());

  @BeforeAll
  static void setUp() throws Exception {
    Assumptions.assumeTrue(PythonDkim.available(), PythonDkim::unavailableReason);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsaPair = generator.generateKeyPair();
    edPair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    rsa = new DkimKey("example.com", "pst1", DkimAlgorithm.RSA_SHA256, rsaPair.getPrivate());
    ed = new DkimKey("example.com", "pst2", DkimAlgorithm.ED25519_SHA256, edPair.getPrivate());
    rsaRecord = DkimRecord.of("pst1", "example.com", DkimAlgorithm.RSA_SHA256,
        Base64.getEncoder().encodeToString(rsaPair.getPublic().getEncoded()));
    edRecord = DkimRecord.of("pst2", "example.com", DkimAlgorithm.ED25519_SHA256,
        Base64.getEncoder().encodeToString(edPair.getPublic().getEncoded()));
  }

  private byte[] signed(String message, DkimKey key) {
    byte[] bytes = TestMessages.bytes(message);
    return Buffer.buffer().appendBuffer(signer.signatureHeader(Buffer.buffer(bytes), key))
        .appendBytes(bytes).getBytes();
  }

  private static void assertVerifies(byte[] message, DkimRecord record) {
    PythonDkim.Verdict verdict = PythonDkim.verify(message, record);
    assertThat(verdict.verified()).as(verdict.output()).isTrue();
  }

  private static void assertFails(byte[] message, DkimRecord record) {
    PythonDkim.Verdict verdict = PythonDkim.verify(message, record);
    assertThat(verdict.verified()).as(verdict.output()).isFalse();
  }

  @Test
  void plainTextMessageVerifies() {
    assertVerifies(signed(TestMessages.plain(), rsa), rsaRecord);
  }

  @Test
  void multipartWithAttachmentVerifies() {
    assertVerifies(signed(TestMessages.multipartWithAttachment(), rsa), rsaRecord);
  }

  @Test
  void oddlyFoldedHeadersVerify() {
    assertVerifies(signed(TestMessages.oddlyFolded(), rsa), rsaRecord);
  }

  @Test
  void trailingBlankLinesAndWhitespaceVerify() {
    assertVerifies(signed(TestMessages.trailingBlankLines(), rsa), rsaRecord);
  }

  @Test
  void emptyBodyVerifies() {
    assertVerifies(signed(TestMessages.emptyBody(), rsa), rsaRecord);
  }

  @Test
  void ed25519SignatureVerifies() {
    assertVerifies(signed(TestMessages.plain(), ed), edRecord);
    assertVerifies(signed(TestMessages.multipartWithAttachment(), ed), edRecord);
  }

  @Test
  void messageStreamedInOneAndSevenByteChunksVerifies() {
    byte[] message = TestMessages.bytes(TestMessages.multipartWithAttachment());
    for (int size : new int[] {1, 7}) {
      DkimSigner.Session session = signer.session(rsa);
      for (int i = 0; i < message.length; i += size) {
        session.update(message, i, Math.min(size, message.length - i));
      }
      assertVerifies(Buffer.buffer().appendBuffer(session.signatureHeader()).appendBytes(message).getBytes(),
          rsaRecord);
    }
  }

  @Test
  void largeMessageStreamedInChunksVerifies() {
    StringBuilder body = new StringBuilder("From: alice@example.com\r\nSubject: big\r\n\r\n");
    String line = "0123456789 abcdefghij  klmnopqrst\tuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n";
    while (body.length() < 4_000_000) {
      body.append(line);
    }
    byte[] message = body.toString().getBytes(StandardCharsets.US_ASCII);
    DkimSigner.Session session = signer.session(rsa);
    for (int i = 0; i < message.length; i += 65_536) {
      session.update(Buffer.buffer().appendBytes(message, i, Math.min(65_536, message.length - i)));
    }
    assertVerifies(Buffer.buffer().appendBuffer(session.signatureHeader()).appendBytes(message).getBytes(),
        rsaRecord);
  }

  @Test
  void tamperedBodyFails() {
    byte[] message = signed(TestMessages.plain(), rsa);
    String text = new String(message, StandardCharsets.UTF_8).replace("Bye.", "Bye!");
    assertFails(text.getBytes(StandardCharsets.UTF_8), rsaRecord);
  }

  @Test
  void tamperedSubjectFails() {
    String text = new String(signed(TestMessages.plain(), rsa), StandardCharsets.UTF_8)
        .replace("Subject: Hello there", "Subject: Hello here");
    assertFails(text.getBytes(StandardCharsets.UTF_8), rsaRecord);
  }

  @Test
  void secondFromAddedInTransitFails() {
    byte[] message = signed(TestMessages.plain(), rsa);
    byte[] injected = "From: mallory@evil.example\r\n".getBytes(StandardCharsets.US_ASCII);
    String text = new String(message, StandardCharsets.UTF_8);
    int body = text.indexOf("\r\n\r\n") + 2;
    byte[] tampered = Buffer.buffer().appendBytes(Arrays.copyOf(message, body)).appendBytes(injected)
        .appendBytes(Arrays.copyOfRange(message, body, message.length)).getBytes();
    assertFails(tampered, rsaRecord);
  }

  @Test
  void anotherDomainsKeyFails() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    DkimKey other = new DkimKey("example.com", "pst1", DkimAlgorithm.RSA_SHA256,
        generator.generateKeyPair().getPrivate());
    assertFails(signed(TestMessages.plain(), other), rsaRecord);
  }
}
