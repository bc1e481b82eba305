package dev.postern.support;

import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The optional Testcontainers path (TESTING.md). With {@code POSTERN_TEST_CONTAINERS=1} and a
 * Docker engine that answers, {@link PgFixture}, {@link RedisFixture} and {@link S3Fixture} get
 * PostgreSQL 15, Redis 7 and MinIO from containers: one of each per test JVM, started on first
 * use and removed by Testcontainers' reaper when the JVM exits. Otherwise the fixtures start
 * their embedded services as always. The explicit overrides ({@code POSTERN_TEST_PG_URL}, …) win
 * over both.
 *
 * <p>Switch on but no Docker engine: one line on stderr saying so, then the embedded services.
 * A fallback, not a skip: the suite still proves everything, only against other binaries, and
 * a machine without Docker (ours) never loses its tests to a stray variable.
 */
public final class ContainerFixture {

  static final String SWITCH = "POSTERN_TEST_CONTAINERS";

  /** Where the fixtures get their services from. */
  enum Source { EMBEDDED, CONTAINERS }

  private static Source source;
  private static GenericContainer<?> postgres;
  private static GenericContainer<?> redis;
  private static GenericContainer<?> minio;
  private static S3Fixture.Endpoint minioEndpoint;
  private static final String PG_PASSWORD = UUID.randomUUID().toString();

  private ContainerFixture() {}

  /**
   * The decision, apart from the environment: only the value {@code 1} switches containers on,
   * and Docker is asked only then.
   */
  static Source choose(String switchValue, BooleanSupplier dockerAnswers, Consumer<String> warn) {
    if (switchValue == null || !switchValue.trim().equals("1")) {
      return Source.EMBEDDED;
    }
    if (dockerAnswers.getAsBoolean()) {
      return Source.CONTAINERS;
    }
    warn.accept(SWITCH + "=1 but no Docker engine answers: the tests use the embedded"
        + " PostgreSQL, Redis and s3proxy instead");
    return Source.EMBEDDED;
  }

  /** Whether Testcontainers finds a Docker engine that answers (never throws). */
  static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static synchronized boolean containers() {
    if (source == null) {
      source = choose(System.getenv(SWITCH), ContainerFixture::dockerAnswers,
          System.err::println);
    }
    return source == Source.CONTAINERS;
  }

  /** A superuser URL of a PostgreSQL container, when containers are in use. */
  public static synchronized Optional<String> postgresUrl() {
    if (!containers()) {
      return Optional.empty();
    }
    if (postgres == null) {
      postgres = started(new GenericContainer<>(DockerImageName.parse("postgres:15"))
          .withEnv("POSTGRES_PASSWORD", PG_PASSWORD)
          .withCommand("postgres", "-c", "max_connections=300")
          .withExposedPorts(5432)
          // The entrypoint's init server says it once before the real one starts.
          .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s",
              2)));
    }
    return Optional.of("postgresql://postgres:" + PG_PASSWORD + "@" + postgres.getHost() + ":"
        + postgres.getMappedPort(5432) + "/postgres");
  }

  /** {@code redis://host:port} of a Redis container, when containers are in use. */
  public static synchronized Optional<String> redisUrl() {
    if (!containers()) {
      return Optional.empty();
    }
    if (redis == null) {
      redis = started(new GenericContainer<>(DockerImageName.parse("redis:7"))
          .withExposedPorts(6379)
          .waitingFor(Wait.forListeningPort()));
    }
    return Optional.of("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
  }

  /** A MinIO container's endpoint and credentials, when containers are in use. */
  public static synchronized Optional<S3Fixture.Endpoint> s3() {
    if (!containers()) {
      return Optional.empty();
    }
    if (minio == null) {
      String user = "postern-test";
      String secret = UUID.randomUUID().toString();
      minio = started(new GenericContainer<>(DockerImageName.parse("minio/minio"))
          .withEnv("MINIO_ROOT_USER", user)
          .withEnv("MINIO_ROOT_PASSWORD", secret)
          .withCommand("server", "/data")
          .withExposedPorts(9000)
          .waitingFor(Wait.forHttp("/minio/health/live").forPort(9000)));
      minioEndpoint = new S3Fixture.Endpoint(
          "http://" + minio.getHost() + ":" + minio.getMappedPort(9000), user, secret);
    }
    return Optional.of(minioEndpoint);
  }

  private static GenericContainer<?> started(GenericContainer<?> container) {
    container.start();
    return container;
  }
}
