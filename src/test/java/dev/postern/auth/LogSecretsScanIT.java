package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SecretsSeen;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs last (ClassOrderer.OrderAnnotation): scans every log the suite produced — both test JVMs
 * and every gateway child process — for every API key the suite generated, its lookup prefix,
 * and every master secret. SPEC §2: none may ever reach a log line.
 */
@Order(Integer.MAX_VALUE)
class LogSecretsScanIT {

  private static final Pattern KEY = Pattern.compile("^[a-z][a-z0-9]{1,15}_(live|test)_([0-9a-f]{12})[0-9a-f]{36}$");
  private static final Pattern MASTER = Pattern.compile("^v\\d+:(.+)$");

  @Test
  void noKeyPrefixOrMasterSecretAppearsInAnyLog() throws IOException {
    List<String> needles = new ArrayList<>();
    for (String secret : SecretsSeen.all()) {
      Matcher key = KEY.matcher(secret);
      Matcher master = MASTER.matcher(secret);
      needles.add(secret);
      if (key.matches()) {
        needles.add(key.group(2));
      } else if (master.matches()) {
        needles.add(master.group(1));
      }
    }
    assertThat(needles).as("the suite should have generated keys to look for").hasSizeGreaterThan(10);
    List<Path> logs;
    try (Stream<Path> files = Files.list(SecretsSeen.logDir())) {
      logs = files.filter(p -> !p.getFileName().toString().equals("secrets-seen.txt")).toList();
    }
    assertThat(logs).as("test logs to scan").isNotEmpty();
    List<String> leaks = new ArrayList<>();
    for (Path log : logs) {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      for (String needle : needles) {
        if (text.contains(needle)) {
          leaks.add(log.getFileName() + " contains a secret of length " + needle.length());
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
