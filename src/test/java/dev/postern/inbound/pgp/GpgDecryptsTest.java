package dev.postern.inbound.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

  private static boolean gpgInstalled;

  @BeforeAll
  static void findGpg() {
    gpgInstalled = onPath("gpg") && onPath("gpgconf");
    if (!gpgInstalled) {
      System.out.println("GpgDecryptsTest: SKIPPED, gpg is not installed (apt-get install gnupg)");
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
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
    Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path secret = dir.resolve("secret.asc");
    Files.writeString(secret, decryptor.armouredSecret(), StandardCharsets.US_ASCII);
    Path ciphertext = dir.resolve("message.pgp");
    Files.write(ciphertext, OpenPgpStreamEncryptorTest.encrypt(
        recipients.stream().map(TestPgpKeys::armouredPublic).toList(), plaintext, 16_384));
    Path decrypted = dir.resolve("message.out");
    try {
      assertThat(gpg(home, "--import", secret.toString()).exit()).isZero();
      Run decrypt = gpg(home, "--status-fd", "1", "--pinentry-mode", "loopback",
          "--passphrase", "", "--output", decrypted.toString(), "--decrypt", ciphertext.toString());
      assertThat(decrypt.exit()).as(decrypt.err()).isZero();
      // DECRYPTION_INFO <mdc method> <cipher> <aead>: 2 = SHA-1 MDC, 9 = AES-256, 0 = no AEAD.
      assertThat(decrypt.out()).contains("[GNUPG:] DECRYPTION_INFO 2 9 0")
          .contains("[GNUPG:] GOODMDC").contains("[GNUPG:] DECRYPTION_OKAY")
          .containsPattern("\\[GNUPG:] PLAINTEXT 62 \\d+ message\\.eml");
      assertThat(Files.readAllBytes(decrypted)).isEqualTo(plaintext);
      Run packets = gpg(home, "--pinentry-mode", "loopback", "--passphrase", "",
          "--list-packets", ciphertext.toString());
      assertThat(packets.exit()).as(packets.err()).isZero();
      assertThat(packets.out()).contains(":literal data packet:")
          .doesNotContain("compressed packet");
      assertThat(packets.out().split(":pubkey enc packet:", -1)).hasSize(recipients.size() + 1);
    } finally {
      run(home, List.of("gpgconf", "--kill", "gpg-agent"));
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run gpg(Path home, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--yes"));
    command.addAll(List.of(args));
    return run(home, command);
  }

  private static Run run(Path home, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(Map.of("GNUPGHOME", home.toString(), "LC_ALL", "C"));
    Path out = Files.createTempFile(home.getParent(), "out", ".txt");
    Path err = Files.createTempFile(home.getParent(), "err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 60 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
