package dev.postern.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Every secret the suite creates (API keys, master secrets), appended to a file under
 * target/test-logs so the last test class can scan every log the suite produced for them.
 */
public final class SecretsSeen {

  private SecretsSeen() {}

  public static Path logDir() {
    Path dir = Path.of(System.getProperty("postern.testLogs", "target/test-logs"));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static Path file() {
    return logDir().resolve("secrets-seen.txt");
  }

  public static synchronized void add(String secret) {
    if (secret == null || secret.isBlank()) {
      return;
    }
    try {
      Files.writeString(file(), secret + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<String> all() {
    try {
      return Files.exists(file()) ? Files.readAllLines(file(), StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
