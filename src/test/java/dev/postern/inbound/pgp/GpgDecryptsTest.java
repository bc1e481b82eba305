package dev.postern.inbound.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import dev.postern.support.ExternalProgram.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real consumer of what we write: GnuPG (2.2 on Debian 12) decrypts it with the recipient's
 * secret key. Skipped, saying so, only when {@code gpg} is not installed (Debian package
 * {@code gnupg}). Each case gets its own GNUPGHOME holding one secret key; the gpg-agent it starts
 * is stopped with {@code gpgconf --kill gpg-agent} at the end of the case.
 */
class GpgDecryptsTest {

  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static boolean gpgInstalled;

  @BeforeAll
  static void findGpg() {
    gpgInstalled = ExternalProgram.runs("gpg", "--version")
        && ExternalProgram.runs("gpgconf", "--version");
    if (!gpgInstalled) {
      System.out.println("GpgDecryptsTest: SKIPPED, gpg is not installed (apt-get install gnupg)");
    }
  }

  @Test
  void gpgDecryptsForAnRsa3072Recipient(@TempDir Path dir) throws Exception {
    decryptsWithGpg(dir, TestPgpKeys.rsa3072(), List.of(TestPgpKeys.rsa3072()),
        OpenPgpStreamEncryptorTest.sampleMail(1 << 20));
  }

  @Test
  void gpgDecryptsForACurve25519Recipient(@TempDir Path dir) throws Exception {
    decryptsWithGpg(dir, TestPgpKeys.curve25519(), List.of(TestPgpKeys.curve25519()),
        OpenPgpStreamEncryptorTest.sampleMail(300_001));
  }

  @Test
  void gpgDecryptsAnEmptyMessageForOneOfThreeRecipients(@TempDir Path dir) throws Exception {
    decryptsWithGpg(dir, TestPgpKeys.curve25519(),
        List.of(TestPgpKeys.rsa2048(), TestPgpKeys.curve25519(), TestPgpKeys.rsa3072()),
        new byte[0]);
  }

  @Test
  void gpgDecryptsForALoneRsaKeyFlaggedForSigning(@TempDir Path dir) throws Exception {
    // The shape PgpPublicKeys.check has always accepted (no subkey): gpg must still read it.
    decryptsWithGpg(dir, TestPgpKeys.loneRsa(), List.of(TestPgpKeys.loneRsa()),
        OpenPgpStreamEncryptorTest.sampleMail(5000));
  }

  private void decryptsWithGpg(Path dir, TestPgpKeys decryptor, List<TestPgpKeys> recipients,
      byte[] plaintext) throws Exception {
    assumeTrue(gpgInstalled, "gpg is not installed (Debian package gnupg)");
    Path home = Files.createDirectory(dir.resolve("g"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    Path secret = dir.resolve("secret.asc");
    Files.writeString(secret, decryptor.armouredSecret(), StandardCharsets.US_ASCII);
    Path ciphertext = dir.resolve("message.pgp");
    Files.write(ciphertext, OpenPgpStreamEncryptorTest.encrypt(
        recipients.stream().map(TestPgpKeys::armouredPublic).toList(), plaintext, 16_384));
    Path decrypted = dir.resolve("message.out");
    try {
      Outcome imported = gpg(home, "--import", secret.toString());
      assertThat(imported.exitCode()).as(imported.toString()).isZero();
      Outcome decrypt = gpg(home, "--status-fd", "1", "--pinentry-mode", "loopback",
          "--passphrase", "", "--output", decrypted.toString(), "--decrypt", ciphertext.toString());
      assertThat(decrypt.exitCode()).as(decrypt.toString()).isZero();
      // DECRYPTION_INFO <mdc method> <cipher> <aead>: 2 = SHA-1 MDC, 9 = AES-256, 0 = no AEAD.
      assertThat(decrypt.stdout()).contains("[GNUPG:] DECRYPTION_INFO 2 9 0")
          .contains("[GNUPG:] GOODMDC").contains("[GNUPG:] DECRYPTION_OKAY")
          .containsPattern("\\[GNUPG:] PLAINTEXT 62 \\d+ message\\.eml");
      assertThat(Files.readAllBytes(decrypted)).isEqualTo(plaintext);
      Outcome packets = gpg(home, "--pinentry-mode", "loopback", "--passphrase", "",
          "--list-packets", ciphertext.toString());
      assertThat(packets.exitCode()).as(packets.toString()).isZero();
      assertThat(packets.stdout()).contains(":literal data packet:")
          .doesNotContain("compressed packet");
      assertThat(packets.stdout().split(":pubkey enc packet:", -1)).hasSize(recipients.size() + 1);
    } finally {
      ExternalProgram.run(dir, DEADLINE, environment(home), "gpgconf", "--kill", "gpg-agent");
    }
  }

  private static Map<String, String> environment(Path home) {
    return Map.of("GNUPGHOME", home.toString(), "LC_ALL", "C");
  }

  private static Outcome gpg(Path home, String... args) {
    List<String> command = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--yes"));
    command.addAll(List.of(args));
    return ExternalProgram.run(home.getParent(), DEADLINE, environment(home),
        command.toArray(String[]::new));
  }
}
