package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class MasterSecretsTest {

  private static String secret(int bytes, int fill) {
    byte[] raw = new byte[bytes];
    java.util.Arrays.fill(raw, (byte) fill);
    return Base64.getEncoder().encodeToString(raw);
  }

  @Test
  void generatedConfigurationIsVersionOneWith32Bytes() {
    String config = MasterSecrets.generate();
    assertThat(config).startsWith("v1:");
    assertThat(Base64.getDecoder().decode(config.substring(3))).hasSize(32);
    assertThat(MasterSecrets.generate()).isNotEqualTo(config);
    assertThat(MasterSecrets.parse(config).versions()).containsExactly(1);
  }

  @Test
  void firstEntryIsCurrentAndAllAreKept() {
    MasterSecrets masters = MasterSecrets.parse(
        "v2:" + secret(32, 2) + ", v1:" + secret(48, 1) + ",v7:" + secret(32, 7));
    assertThat(masters.currentVersion()).isEqualTo(2);
    assertThat(masters.versions()).containsExactly(2, 1, 7);
    assertThat(masters.has(7)).isTrue();
    assertThat(masters.has(3)).isFalse();
    assertThat(masters.secret(1)).hasValueSatisfying(s -> assertThat(s).hasSize(48));
  }

  @Test
  void secretCopiesCannotChangeTheConfiguredSecret() {
    MasterSecrets masters = MasterSecrets.parse("v1:" + secret(32, 9));
    masters.secret(1).orElseThrow()[0] = 0;
    assertThat(masters.secret(1).orElseThrow()[0]).isEqualTo((byte) 9);
  }

  @Test
  void refusesEmptyConfiguration() {
    assertThatThrownBy(() -> MasterSecrets.parse(null)).hasMessageContaining("empty");
    assertThatThrownBy(() -> MasterSecrets.parse("  ")).hasMessageContaining("empty");
  }

  @Test
  void refusesAShortSecretNamingItsSize() {
    assertThatThrownBy(() -> MasterSecrets.parse("v1:" + secret(31, 1)))
        .isInstanceOf(MasterSecrets.InvalidMasterSecretException.class)
        .hasMessageContaining("entry 1 (v1)")
        .hasMessageContaining("got 31");
  }

  @Test
  void reportsEveryBadEntryAtOnce() {
    var thrown = org.junit.jupiter.api.Assertions.assertThrows(
        MasterSecrets.InvalidMasterSecretException.class,
        () -> MasterSecrets.parse("v0:" + secret(32, 1) + ",v2:not*base64,,"
            + secret(32, 3) + ",v2:" + secret(32, 2) + ",v2:" + secret(32, 4)));
    assertThat(thrown.problems()).containsExactly(
        "entry 1: version must be v followed by a positive number",
        "entry 2 (v2): secret is not valid base64",
        "entry 3: expected v<number>:<base64>",
        "entry 4: expected v<number>:<base64>",
        "entry 6 (v2): version v2 appears more than once");
  }

  @Test
  void refusesAbsurdlyLongConfiguration() {
    assertThatThrownBy(() -> MasterSecrets.parse("v1:" + "A".repeat(100_000)))
        .hasMessageContaining("longer than");
  }
}
