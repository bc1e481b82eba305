package dev.postern.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, separately installed PostgreSQL server (Debian's {@code postgresql} package, 15 on our
 * machines) in a throw-away cluster, to prove the gateway works against a server it did not
 * start. Debian's server refuses to run as root, so as root it runs as the {@code postgres} user.
 */
public final class DebianPostgres implements AutoCloseable {

  private static final Path BIN = Path.of(System.getenv().getOrDefault(
      "POSTERN_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"));

  private final Path cluster;
  private final int port;

  private DebianPostgres(Path cluster, int port) {
    this.cluster = cluster;
    this.port = port;
  }

  public static boolean installed() {
    return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"));
  }

  public static DebianPostgres start() throws IOException, InterruptedException {
    Path cluster = Files.createTempDirectory("postern-pg15-");
    int port = FreePort.next();
    if (root()) {
      run(List.of("chown", "-R", "postgres", cluster.toString()));
    }
    run(asPostgres(BIN.resolve("initdb").toString(), "-D", cluster.resolve("data").toString(),
        "-U", "postgres", "--auth=trust", "-E", "UTF8"));
    run(asPostgres(BIN.resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(),
        "-l", cluster.resolve("server.log").toString(), "-w", "-t", "60",
        "-o", "-p " + port + " -k " + cluster + " -c listen_addresses=127.0.0.1", "start"));
    return new DebianPostgres(cluster, port);
  }

  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run(asPostgres(BIN.resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(),
        "-m", "fast", "-w", "stop"));
    run(List.of("rm", "-rf", cluster.toString()));
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asPostgres(String... command) {
    List<String> full = new ArrayList<>();
    if (root()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }
}
