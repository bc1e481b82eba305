package dev.postern.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a running PostgreSQL listens, read from {@code <data dir>/postmaster.pid}: line 1 the
 * postmaster's pid, line 4 its port, line 6 its first listen address (PostgreSQL's
 * {@code LOCK_FILE_LINE_*} layout, since 10). The bench reads the embedded database of a
 * gateway this way, without the gateway telling it anything.
 */
record PostmasterPid(long pid, int port, String host) {

  static PostmasterPid parse(List<String> lines) {
    if (lines.size() < 4) {
      throw new IllegalArgumentException("postmaster.pid has " + lines.size() + " lines, want >= 4");
    }
    String listen = lines.size() >= 6 ? lines.get(5).trim() : "";
    // "*" listens everywhere, "" on the Unix socket only: both are reachable on loopback TCP
    // only in the first case, but 127.0.0.1 is the best guess for either.
    String host = listen.isEmpty() || listen.equals("*") ? "127.0.0.1" : listen.split("[ ,]")[0];
    return new PostmasterPid(Long.parseLong(lines.get(0).trim()),
        Integer.parseInt(lines.get(3).trim()), host);
  }

  static PostmasterPid read(Path dataDirectory) throws IOException {
    return parse(Files.readAllLines(dataDirectory.resolve("postmaster.pid"),
        StandardCharsets.US_ASCII));
  }
}
