package dev.postern.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The system resolver's first {@code nameserver} line (resolv.conf(5)), read once at start-up. */
final class ResolvConf {

  private ResolvConf() {}

  static Optional<String> firstNameserver(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length >= 2 && parts[0].equals("nameserver")) {
          // A scoped IPv6 address (fe80::1%eth0) cannot be used by a UDP client as is.
          return Optional.of(parts[1].contains("%") ? parts[1].substring(0, parts[1].indexOf('%')) : parts[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // no resolv.conf (containers, Windows): the caller's fallback applies
    }
    return Optional.empty();
  }
}
