package dev.postern.mailboxes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PgpPublicKeysTest {

  static String resource(String name) {
    try (InputStream in = PgpPublicKeysTest.class.getResourceAsStream("/pgp/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void acceptsAnArmouredPublicKeyThatCanEncrypt() {
    PgpPublicKeys.Checked checked = PgpPublicKeys.check(resource("bot.pub.asc"));
    assertThat(checked.problem()).isNull();
    assertThat(checked.fingerprint()).hasSize(40);
  }

  @Test
  void refusesASigningOnlyKey() {
    assertThat(PgpPublicKeys.check(resource("sign-only.pub.asc")).problem()).contains("encrypt");
  }

  @Test
  void refusesGarbageUnarmouredAndCorruptedKeys() {
    assertThat(PgpPublicKeys.check("not a key").valid()).isFalse();
    assertThat(PgpPublicKeys.check("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n").valid()).isFalse();
    String key = resource("bot.pub.asc");
    int middle = key.length() / 2;
    String corrupted = key.substring(0, middle) + (key.charAt(middle) == 'A' ? 'B' : 'A') + key.substring(middle + 1);
    assertThat(PgpPublicKeys.check(corrupted).valid()).isFalse();
    assertThat(PgpPublicKeys.check("-----BEGIN PGP PUBLIC KEY BLOCK-----").valid()).isFalse();
    assertThat(PgpPublicKeys.check("x".repeat(70_000)).problem()).contains("at most");
  }
}
