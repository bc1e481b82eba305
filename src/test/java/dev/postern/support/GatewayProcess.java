package dev.postern.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway ({@code target/postern.jar}) as a child process, as an operator runs it.
 * Output goes to files so a test can read what the operator would see.
 */
public final class GatewayProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final int httpPort;

  private GatewayProcess(Process process, Path stdout, Path stderr, int httpPort) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.httpPort = httpPort;
  }

  public static Path jar() {
    String jar = System.getProperty("postern.testJar", "target/postern.jar");
    if (!Files.exists(Path.of(jar))) {
      throw new IllegalStateException(jar + " missing: process tests run in `mvn verify` after package");
    }
    return Path.of(jar);
  }

  /** Starts {@code java -jar postern.jar args…} with the given environment on top of ours. */
  public static GatewayProcess start(Path logDir, Map<String, String> env, String... args) throws IOException {
    Files.createDirectories(logDir);
    SecretsSeen.add(env.get("POSTERN_MASTER_SECRET"));
    int port = env.containsKey("POSTERN_HTTP_PORT") ? parseOr(env.get("POSTERN_HTTP_PORT")) : FreePort.next();
    Map<String, String> environment = new HashMap<>(env);
    environment.putIfAbsent("POSTERN_HTTP_PORT", Integer.toString(port));
    // SMTP listeners are off unless the test asks for them (several gateways run at once).
    environment.putIfAbsent("POSTERN_SMTP_PORT", "0");
    environment.putIfAbsent("POSTERN_SMTPS_PORT", "0");
    environment.putIfAbsent("POSTERN_MX_PORT", "0");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-jar", jar().toAbsolutePath().toString()));
    command.addAll(List.of(args));
    String stamp = Long.toString(System.nanoTime());
    // Output goes where the suite's log scan reads it (SecretsSeen), not into the test's temp dir.
    Path out = SecretsSeen.logDir().resolve("gateway-" + stamp + ".out");
    Path err = SecretsSeen.logDir().resolve("gateway-" + stamp + ".err");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(environment);
    return new GatewayProcess(builder.start(), out, err, port);
  }

  private static int parseOr(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public long pid() {
    return process.pid();
  }

  /** Polls /readyz until 200; fails with the process output if it exits or time runs out. */
  public void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("gateway exited with " + process.exitValue() + ": " + stderr() + stdout());
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/readyz"))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("gateway not ready within " + timeout + ": " + stdout());
  }

  /** SIGTERM, then the exit code (fails if it does not exit within the bound). */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL: the gateway gets no chance to clean up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("gateway did not exit within " + timeout);
    }
    return process.exitValue();
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Processes whose command line mentions {@code fragment} (e.g. a data directory). */
  public static List<ProcessHandle> processesMentioning(String fragment) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(fragment)).orElse(false))
        .toList();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
