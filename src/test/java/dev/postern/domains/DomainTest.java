package dev.postern.domains;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DomainTest {

  private static Domain domain(String algorithm, PublicKey publicKey) {
    return new Domain(UUID.randomUUID(), "mail.example.org", "0".repeat(32), null, "postern202601",
        algorithm, Base64.getEncoder().encodeToString(publicKey.getEncoded()),
        OffsetDateTime.parse("2026-01-01T00:00:00Z"));
  }

  private static JsonObject publishedDkimRecord(Domain domain) {
    return domain.toJson().getJsonArray("dns").getJsonObject(1);
  }

  @Test
  void anEd25519DomainPublishesTheRaw32BytePublicKey() throws Exception {
    PublicKey key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    JsonObject record = publishedDkimRecord(domain("ed25519-sha256", key));

    assertThat(record.getString("type")).isEqualTo("TXT");
    assertThat(record.getString("name")).isEqualTo("postern202601._domainkey.mail.example.org");
    String value = record.getString("value");
    assertThat(value).matches("v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]+=*");
    // RFC 8463 §4.2: p= is the base64 of the bare 32-byte key, which ends the 44-byte SPKI.
    byte[] published = Base64.getDecoder().decode(value.substring(value.indexOf("p=") + 2));
    byte[] spki = key.getEncoded();
    assertThat(published).hasSize(32)
        .containsExactly(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
  }

  @Test
  void anRsaDomainPublishesTheSubjectPublicKeyInfo() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    PublicKey key = generator.generateKeyPair().getPublic();
    JsonObject record = publishedDkimRecord(domain("rsa-sha256", key));

    assertThat(record.getString("name")).isEqualTo("postern202601._domainkey.mail.example.org");
    assertThat(record.getString("value")).isEqualTo(
        "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getEncoded()));
  }
}
