package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** No type this package exposes prints a key, a lookup prefix, a master secret or a data key. */
class SecretRedactionTest {

  private final KeyFormat format = new KeyFormat();

  @Test
  void apiKeySecretPrintsNeitherTheKeyNorItsLookupPrefix() {
    ApiKeySecret key = format.generate(KeyMode.LIVE);
    assertThat(key.toString())
        .isEqualTo("pst_live_…(redacted)")
        .doesNotContain(key.lookupPrefix());
  }

  @Test
  void parseResultsPrintRedacted() {
    ApiKeySecret key = format.generate(KeyMode.TEST);
    KeyParse parsed = format.parse(key.plaintext());
    assertThat(parsed.toString()).doesNotContain(key.lookupPrefix()).contains("redacted");
    assertThat(String.valueOf(parsed.key())).doesNotContain(key.lookupPrefix());
    String badChecksum = key.plaintext().substring(0, 56)
        + (key.plaintext().endsWith("0") ? "1" : "0");
    assertThat(format.parse(badChecksum).toString())
        .doesNotContain(key.lookupPrefix()).contains("CHECKSUM");
    assertThat(format.toString()).doesNotContain(key.lookupPrefix());
  }

  @Test
  void mastersVaultAndSealedPrintNoSecretMaterial() {
    String config = MasterSecrets.generate();
    String secretText = config.substring(3);
    MasterSecrets masters = MasterSecrets.parse(config);
    KeyVault vault = new KeyVault(masters);
    ApiKeySecret key = format.generate(KeyMode.LIVE);
    Sealed sealed = vault.seal(key.plaintextBytes(), UUID.randomUUID(), KeyVault.API_KEY_INFO);

    for (String printed : new String[] {masters.toString(), vault.toString(), sealed.toString()}) {
      assertThat(printed)
          .doesNotContain(secretText)
          .doesNotContain(key.plaintext())
          .doesNotContain(key.lookupPrefix())
          .doesNotContain(HexFormat.of().formatHex(sealed.ciphertext()).substring(0, 16))
          .doesNotContain(Base64.getEncoder().encodeToString(sealed.salt()));
    }
    assertThat(masters.toString()).isEqualTo("MasterSecrets[current=v1, versions=[v1]]");
  }

  @Test
  void vaultFailuresCarryNoSecretMaterial() {
    String config = MasterSecrets.generate();
    KeyVault vault = new KeyVault(MasterSecrets.parse(config));
    byte[] plaintext = "pst_live_secretsecret".getBytes(StandardCharsets.US_ASCII);
    Sealed sealed = vault.seal(plaintext, UUID.randomUUID(), KeyVault.API_KEY_INFO);
    assertThatThrownBy(() -> vault.open(sealed, UUID.randomUUID(), KeyVault.API_KEY_INFO))
        .isInstanceOf(VaultException.class)
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage())
            .doesNotContain("secretsecret").doesNotContain(config.substring(3)));
  }

  @Test
  void masterSecretParseErrorsNeverEchoTheSecret() {
    String secret = Base64.getEncoder().encodeToString(new byte[16]).replace("=", "");
    String pastedWithoutVersion = Base64.getEncoder().encodeToString(
        "a 32-byte secret pasted raw!!!!!".getBytes(StandardCharsets.US_ASCII));
    for (String config : new String[] {
        "v1:" + secret, pastedWithoutVersion, "x" + pastedWithoutVersion + ":abc",
        "v1:" + pastedWithoutVersion + "!", pastedWithoutVersion + ":" + pastedWithoutVersion}) {
      assertThatThrownBy(() -> MasterSecrets.parse(config))
          .isInstanceOf(MasterSecrets.InvalidMasterSecretException.class)
          .satisfies(e -> assertThat(e.getMessage())
              .doesNotContain(secret)
              .doesNotContain(pastedWithoutVersion.substring(0, 12)));
    }
  }
}
