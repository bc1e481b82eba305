package dev.postern.delivery.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Canonicalisation and header shape, without a verifier (see DkimIndependentVerificationTest). */
class DkimSignerTest {

  private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
  private static DkimKey rsa;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = new DkimKey("Example.com", "s1", DkimAlgorithm.RSA_SHA256, generator.generateKeyPair().getPrivate());
  }

  private static String bodyHash(String body) {
    RelaxedBodyHash hash = new RelaxedBodyHash();
    byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
    hash.update(bytes, 0, bytes.length);
    return Base64.getEncoder().encodeToString(hash.finish());
  }

  private static String sha256(String canonical) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
        .digest(canonical.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void emptyBodyHashesAsTheEmptyString() throws Exception {
    // RFC 6376 §3.4.4 with erratum 1384: the relaxed empty body is the null input.
    assertThat(bodyHash("")).isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        .isEqualTo(sha256(""));
    assertThat(bodyHash("\r\n\r\n")).isEqualTo(sha256(""));
    assertThat(bodyHash(" \t \r\n\r\n")).isEqualTo(sha256(""));
  }

  @Test
  void relaxedBodyMatchesTheRfcExample() throws Exception {
    // RFC 6376 §3.4.6 example body.
    assertThat(bodyHash(" C \r\nD \t E\r\n\r\n\r\n")).isEqualTo(sha256(" C\r\nD E\r\n"));
  }

  @Test
  void missingFinalCrlfIsAddedAndBareLineFeedsEndLines() throws Exception {
    assertThat(bodyHash("abc")).isEqualTo(sha256("abc\r\n"));
    assertThat(bodyHash("a\nb  \n\n")).isEqualTo(sha256("a\r\nb\r\n"));
    assertThat(bodyHash("a\rb\r\n")).isEqualTo(sha256("a\rb\r\n"));
    assertThat(bodyHash("x\r\n\r\n \r\ny")).isEqualTo(sha256("x\r\n\r\n\r\ny\r\n"));
  }

  @Test
  void chunkBoundariesDoNotChangeTheBodyHash() {
    String body = "line one  \r\n\r\n\t tabbed\r\n \r\n\r\nlast\r\n\r\n";
    byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
    String whole = bodyHash(body);
    for (int size = 1; size <= bytes.length; size++) {
      RelaxedBodyHash hash = new RelaxedBodyHash();
      for (int i = 0; i < bytes.length; i += size) {
        hash.update(bytes, i, Math.min(size, bytes.length - i));
      }
      assertThat(Base64.getEncoder().encodeToString(hash.finish())).as("chunk size %d", size).isEqualTo(whole);
    }
  }

  @Test
  void streamedInTinyChunksGivesTheSameHeaderAsTheWholeBuffer() {
    DkimSigner signer = new DkimSigner(FIXED);
    byte[] message = TestMessages.bytes(TestMessages.multipartWithAttachment());
    Buffer whole = signer.signatureHeader(Buffer.buffer(message), rsa);
    for (int size : new int[] {1, 7, 4096}) {
      DkimSigner.Session session = signer.session(rsa);
      for (int i = 0; i < message.length; i += size) {
        session.update(Buffer.buffer().appendBytes(message, i, Math.min(size, message.length - i)));
      }
      assertThat(session.signatureHeader().toString()).as("chunk size %d", size).isEqualTo(whole.toString());
    }
  }

  @Test
  void headerIsFoldedCrlfTerminatedAndNamesTheSignedFields() {
    String header = new DkimSigner(FIXED).signatureHeader(Buffer.buffer(TestMessages.plain()), rsa).toString();
    assertThat(header).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;")
        .endsWith("\r\n").contains(" s=s1;").contains(" t=" + FIXED.instant().getEpochSecond() + ";");
    for (String line : header.split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(78);
    }
    assertThat(header.replaceAll("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    String h = header.replaceAll("\r\n\\s*", "").replaceAll("(?s).*;\\s*h=([^;]*);.*", "$1");
    assertThat(h).isEqualTo("from:from:to:subject:date:message-id:mime-version:content-type:content-transfer-encoding");
  }

  @Test
  void messageWithoutFromIsRefused() {
    assertThatThrownBy(() -> new DkimSigner(FIXED)
        .signatureHeader(Buffer.buffer("To: bob@example.net\r\n\r\nhi\r\n"), rsa))
        .isInstanceOf(DkimException.class).hasMessageContaining("From");
  }

  @Test
  void keyAndHeaderNeverShowPrivateMaterial() {
    assertThat(rsa.toString()).isEqualTo("DkimKey[s1._domainkey.example.com, rsa-sha256]");
  }
}
