package dev.postern.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of sealing: confidentiality is the JDK's; binding and integrity are ours. */
class KeyVaultPropertiesTest {

  private final KeyVault v1 = new KeyVault(MasterSecrets.parse(KeyVaultTest.V1));
  private final KeyVault rotated =
      new KeyVault(MasterSecrets.parse(KeyVaultTest.V2 + "," + KeyVaultTest.V1));

  @Property(tries = 300)
  void sealThenOpenReturnsTheSameBytes(
      @ForAll @Size(max = 4096) byte[] plaintext, @ForAll("uuids") UUID row,
      @ForAll("infos") String info) {
    Sealed sealed = v1.seal(plaintext, row, info);
    assertThat(v1.open(sealed, row, info)).isEqualTo(plaintext);
  }

  @Property(tries = 500)
  void anySingleBitFlipInTheCiphertextFailsToOpen(
      @ForAll @Size(min = 1, max = 128) byte[] plaintext, @ForAll("uuids") UUID row,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int bitSeed) {
    Sealed sealed = v1.seal(plaintext, row, KeyVault.API_KEY_INFO);
    byte[] ciphertext = sealed.ciphertext();
    int bit = bitSeed % (ciphertext.length * 8);
    ciphertext[bit / 8] ^= (byte) (1 << (bit % 8));
    Sealed tampered = new Sealed(sealed.salt(), ciphertext, sealed.masterVersion());
    assertThatThrownBy(() -> v1.open(tampered, row, KeyVault.API_KEY_INFO))
        .isInstanceOf(VaultException.class);
  }

  @Property(tries = 200)
  void anySingleBitFlipInTheSaltFailsToOpen(
      @ForAll @Size(max = 64) byte[] plaintext, @ForAll @IntRange(min = 0, max = 127) int bit) {
    UUID row = UUID.randomUUID();
    Sealed sealed = v1.seal(plaintext, row, KeyVault.API_KEY_INFO);
    byte[] salt = sealed.salt();
    salt[bit / 8] ^= (byte) (1 << (bit % 8));
    Sealed tampered = new Sealed(salt, sealed.ciphertext(), sealed.masterVersion());
    assertThatThrownBy(() -> v1.open(tampered, row, KeyVault.API_KEY_INFO))
        .isInstanceOf(VaultException.class);
  }

  @Property(tries = 300)
  void aDifferentRowIdFailsToOpen(
      @ForAll @Size(max = 256) byte[] plaintext, @ForAll("uuids") UUID row,
      @ForAll("uuids") UUID other) {
    Assume.that(!row.equals(other));
    Sealed sealed = v1.seal(plaintext, row, KeyVault.API_KEY_INFO);
    assertThatThrownBy(() -> v1.open(sealed, other, KeyVault.API_KEY_INFO))
        .isInstanceOfSatisfying(VaultException.class, e ->
            assertThat(e.reason()).isEqualTo(VaultException.Reason.AUTHENTICATION_FAILED));
  }

  @Property(tries = 200)
  void twoSealsOfTheSameValueDiffer(@ForAll @Size(max = 256) byte[] plaintext) {
    UUID row = UUID.randomUUID();
    Sealed first = v1.seal(plaintext, row, KeyVault.API_KEY_INFO);
    Sealed second = v1.seal(plaintext, row, KeyVault.API_KEY_INFO);
    assertThat(first.salt()).isNotEqualTo(second.salt());
    assertThat(java.util.Arrays.copyOf(first.ciphertext(), KeyVault.NONCE_BYTES))
        .isNotEqualTo(java.util.Arrays.copyOf(second.ciphertext(), KeyVault.NONCE_BYTES));
    assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
  }

  @Property(tries = 200)
  void resealFromV1OpensUnderTheV2Set(
      @ForAll @Size(max = 512) byte[] plaintext, @ForAll("uuids") UUID row,
      @ForAll("infos") String info) {
    Sealed underV1 = v1.seal(plaintext, row, info);
    Sealed underV2 = rotated.reseal(underV1, row, info);
    assertThat(underV2.masterVersion()).isEqualTo(2);
    KeyVault v2Only = new KeyVault(MasterSecrets.parse(KeyVaultTest.V2));
    assertThat(v2Only.open(underV2, row, info)).isEqualTo(plaintext);
    assertThatThrownBy(() -> v1.open(underV2, row, info))
        .isInstanceOfSatisfying(VaultException.class, e ->
            assertThat(e.reason()).isEqualTo(VaultException.Reason.UNKNOWN_MASTER_VERSION));
  }

  @Provide
  Arbitrary<UUID> uuids() {
    return Arbitraries.longs().tuple2().map(t -> new UUID(t.get1(), t.get2()));
  }

  @Provide
  Arbitrary<String> infos() {
    return Arbitraries.oneOf(
        Arbitraries.of(KeyVault.API_KEY_INFO, KeyVault.DKIM_KEY_INFO,
            KeyVault.WEBHOOK_SECRET_INFO),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(40).filter(s -> !s.isBlank()));
  }
}
