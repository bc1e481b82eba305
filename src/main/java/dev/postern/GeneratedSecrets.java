package dev.postern;

import dev.postern.config.PosternConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The embedded default's secrets: when configuration gives no master secret or admin token, one
 * is generated at first start into {@code <data dir>/secrets/} (mode 0600) and reused after.
 * Runs on the main thread before any event loop exists.
 */
public final class GeneratedSecrets {

  /** @param adminTokenCreated true only on the start that generated it (so it is printed once) */
  public record Resolved(String masterSecret, String adminToken, boolean adminTokenCreated) {
    @Override
    public String toString() {
      return "Resolved[(redacted)]";
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private GeneratedSecrets() {}

  public static Resolved resolve(PosternConfig config) throws IOException {
    Path dir = config.dataDir().resolve("secrets");
    String master = config.secrets().masterSecret();
    if (master == null) {
      master = readOrCreate(dir.resolve("master-secret"), () -> "v1:" + Base64.getEncoder().encodeToString(bytes(32)));
    }
    String admin = config.secrets().adminToken();
    boolean created = false;
    if (admin == null) {
      Path file = dir.resolve("admin-token");
      created = !Files.exists(file);
      admin = readOrCreate(file, () -> "pat_" + HexFormat.of().formatHex(bytes(24)));
    }
    return new Resolved(master, admin, created);
  }

  private static String readOrCreate(Path file, java.util.function.Supplier<String> generator) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }
    Files.createDirectories(file.getParent());
    restrict(file.getParent(), "rwx------");
    String value = generator.get();
    Path temp = Files.createTempFile(file.getParent(), ".tmp-", "");
    restrict(temp, "rw-------");
    Files.writeString(temp, value + "\n", StandardCharsets.US_ASCII);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    return value;
  }

  private static void restrict(Path path, String permissions) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException | IOException e) {
      // Non-POSIX file system: nothing more we can do.
    }
  }

  private static byte[] bytes(int n) {
    byte[] out = new byte[n];
    RANDOM.nextBytes(out);
    return out;
  }
}
