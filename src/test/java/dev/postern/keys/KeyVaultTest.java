package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KeyVaultTest {

  static final String V1 = "v1:" + Base64.getEncoder().encodeToString(filled(32, 1));
  static final String V2 = "v2:" + Base64.getEncoder().encodeToString(filled(32, 2));

  private final KeyVault vault = new KeyVault(MasterSecrets.parse(V1));
  private final UUID row = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
  private final byte[] plaintext = new KeyFormat().generate(KeyMode.LIVE).plaintextBytes();

  static byte[] filled(int n, int value) {
    byte[] bytes = new byte[n];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  @Test
  void sealsAndOpensAnApiKey() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    assertThat(sealed.salt()).hasSize(16);
    assertThat(sealed.ciphertext()).hasSize(12 + plaintext.length + 16);
    assertThat(sealed.masterVersion()).isEqualTo(1);
    assertThat(vault.open(sealed, row, KeyVault.API_KEY_INFO)).isEqualTo(plaintext);
  }

  @Test
  void sealsTheEmptyValue() {
    Sealed sealed = vault.seal(new byte[0], row, KeyVault.WEBHOOK_SECRET_INFO);
    assertThat(vault.open(sealed, row, KeyVault.WEBHOOK_SECRET_INFO)).isEmpty();
  }

  @Test
  void ciphertextCopiedToAnotherRowDoesNotOpen() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    assertThatThrownBy(() -> vault.open(sealed, UUID.randomUUID(), KeyVault.API_KEY_INFO))
        .isInstanceOfSatisfying(VaultException.class, e ->
            assertThat(e.reason()).isEqualTo(VaultException.Reason.AUTHENTICATION_FAILED));
  }

  @Test
  void anotherInfoLabelDoesNotOpen() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.DKIM_KEY_INFO);
    assertThatThrownBy(() -> vault.open(sealed, row, KeyVault.API_KEY_INFO))
        .isInstanceOf(VaultException.class);
  }

  @Test
  void anotherMasterWithTheSameVersionDoesNotOpen() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    KeyVault other = new KeyVault(MasterSecrets.parse(MasterSecrets.generate()));
    assertThatThrownBy(() -> other.open(sealed, row, KeyVault.API_KEY_INFO))
        .isInstanceOfSatisfying(VaultException.class, e ->
            assertThat(e.reason()).isEqualTo(VaultException.Reason.AUTHENTICATION_FAILED));
  }

  @Test
  void anUnconfiguredVersionIsReportedAsSuch() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    KeyVault onlyV2 = new KeyVault(MasterSecrets.parse(V2));
    assertThatThrownBy(() -> onlyV2.open(sealed, row, KeyVault.API_KEY_INFO))
        .isInstanceOfSatisfying(VaultException.class, e ->
            assertThat(e.reason()).isEqualTo(VaultException.Reason.UNKNOWN_MASTER_VERSION))
        .hasMessageContaining("v1");
  }

  @Test
  void truncatedColumnsAreMalformed() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    Sealed shortSalt = new Sealed(new byte[15], sealed.ciphertext(), 1);
    Sealed shortCiphertext = new Sealed(sealed.salt(), new byte[27], 1);
    for (Sealed bad : new Sealed[] {shortSalt, shortCiphertext}) {
      assertThatThrownBy(() -> vault.open(bad, row, KeyVault.API_KEY_INFO))
          .isInstanceOfSatisfying(VaultException.class, e ->
              assertThat(e.reason()).isEqualTo(VaultException.Reason.MALFORMED));
    }
  }

  @Test
  void resealMovesARowToTheCurrentVersion() {
    Sealed underV1 = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    KeyVault rotated = new KeyVault(MasterSecrets.parse(V2 + "," + V1));
    Sealed underV2 = rotated.reseal(underV1, row, KeyVault.API_KEY_INFO);
    assertThat(underV2.masterVersion()).isEqualTo(2);
    KeyVault afterRotation = new KeyVault(MasterSecrets.parse(V2));
    assertThat(afterRotation.open(underV2, row, KeyVault.API_KEY_INFO)).isEqualTo(plaintext);
  }

  @Test
  void refusesABlankInfoLabel() {
    assertThatThrownBy(() -> vault.seal(plaintext, row, " "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sealedIsImmutableAndComparesByContent() {
    Sealed sealed = vault.seal(plaintext, row, KeyVault.API_KEY_INFO);
    sealed.ciphertext()[0] ^= 1;
    sealed.salt()[0] ^= 1;
    assertThat(vault.open(sealed, row, KeyVault.API_KEY_INFO)).isEqualTo(plaintext);
    Sealed copy = new Sealed(sealed.salt(), sealed.ciphertext(), sealed.masterVersion());
    assertThat(copy).isEqualTo(sealed).hasSameHashCodeAs(sealed);
  }

  @Test
  void matchesComparesContent() {
    byte[] a = "pst_live_abc".getBytes(StandardCharsets.US_ASCII);
    assertThat(KeyVault.matches(a, a.clone())).isTrue();
    assertThat(KeyVault.matches(a, "pst_live_abd".getBytes(StandardCharsets.US_ASCII))).isFalse();
    assertThat(KeyVault.matches(a, Arrays.copyOf(a, a.length - 1))).isFalse();
    assertThat(KeyVault.matches(null, a)).isFalse();
    assertThat(KeyVault.matches(a, null)).isFalse();
  }

  @Test
  void uuidBytesAreBigEndian() {
    assertThat(KeyVault.uuidBytes(new UUID(0x0102030405060708L, 0x090a0b0c0d0e0f10L)))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  }
}
