package dev.postern.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An S3 endpoint for tests (TESTING.md): {@code POSTERN_TEST_S3_URL} (with
 * {@code POSTERN_TEST_S3_ACCESS_KEY} / {@code POSTERN_TEST_S3_SECRET_KEY}) when set, else MinIO
 * in a container with {@code POSTERN_TEST_CONTAINERS=1} and Docker ({@link ContainerFixture}),
 * otherwise one s3proxy per test JVM on its filesystem backend. s3proxy runs from its own jar in a
 * child JVM because its jclouds/Jetty classpath clashes with ours; a shutdown hook stops it and
 * deletes its data, so no java process outlives the tests. Each test class should use its own
 * {@link #randomBucket()}.
 */
public final class S3Fixture {

  /** How tests reach the store. The credentials are test-only values. */
  public record Endpoint(String url, String accessKey, String secretKey) {}

  private static final String ACCESS_KEY = "postern-test";
  private static final long START_TIMEOUT_MS = 60_000;

  private static Endpoint endpoint;

  private S3Fixture() {}

  /** The shared endpoint, starting s3proxy on first use. */
  public static synchronized Endpoint endpoint() {
    if (endpoint == null) {
      String external = System.getenv("POSTERN_TEST_S3_URL");
      endpoint = external != null && !external.isBlank()
          ? new Endpoint(external, System.getenv("POSTERN_TEST_S3_ACCESS_KEY"),
              System.getenv("POSTERN_TEST_S3_SECRET_KEY"))
          : ContainerFixture.s3().orElseGet(S3Fixture::startS3Proxy);
    }
    return endpoint;
  }

  /** A bucket name no other test class uses (S3 names: lowercase, digits, dashes). */
  public static String randomBucket() {
    return "postern-test-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private static Endpoint startS3Proxy() {
    try {
      Path jar = Path.of(System.getProperty("postern.testTools", "target/test-tools"),
          "s3proxy.jar");
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("no s3proxy jar at " + jar
            + " (run through Maven, which copies it there)");
      }
      Path home = Files.createTempDirectory("postern-s3proxy-");
      Path data = Files.createDirectories(home.resolve("data"));
      int port = freePort();
      String url = "http://127.0.0.1:" + port;
      String secret = UUID.randomUUID().toString();
      Properties config = new Properties();
      config.setProperty("s3proxy.endpoint", url);
      config.setProperty("s3proxy.authorization", "aws-v2-or-v4");
      config.setProperty("s3proxy.identity", ACCESS_KEY);
      config.setProperty("s3proxy.credential", secret);
      config.setProperty("jclouds.provider", "filesystem");
      config.setProperty("jclouds.filesystem.basedir", data.toString());
      Path properties = home.resolve("s3proxy.properties");
      try (var out = Files.newOutputStream(properties)) {
        config.store(out, "written by S3Fixture");
      }
      Path log = home.resolve("s3proxy.log");
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().put("LOG_LEVEL", "warn");
      Process process = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process, home),
          "s3proxy-stopper"));
      awaitAnswer(process, url, log);
      return new Endpoint(url, ACCESS_KEY, secret);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start s3proxy", e);
    }
  }

  /** Any HTTP answer (s3proxy says 403 to an anonymous GET) means it is serving. */
  private static void awaitAnswer(Process process, String url, Path log) throws IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited with " + process.exitValue() + ":\n"
            + Files.readString(log));
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url + "/").toURL()
            .openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(1000);
        connection.getResponseCode();
        connection.disconnect();
        return;
      } catch (IOException notYet) {
        pause();
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("s3proxy did not answer within " + START_TIMEOUT_MS
        + " ms:\n" + Files.readString(log));
  }

  private static void pause() {
    try {
      Thread.sleep(100); // test thread, never an event loop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting s3proxy", e);
    }
  }

  private static void stop(Process process, Path home) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory: the OS cleans it eventually
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
