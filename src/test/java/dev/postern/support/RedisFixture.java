package dev.postern.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.embedded.RedisServer;

/**
 * Redis for tests (TESTING.md): one embedded Redis 6.2 per test JVM, bound to 127.0.0.1 on a free
 * port, started on first use and stopped by a shutdown hook. {@code POSTERN_TEST_REDIS_URL}
 * replaces it with an external Redis, {@code POSTERN_TEST_CONTAINERS=1} with a container when
 * Docker answers ({@link ContainerFixture}). Tests share the instance, so each uses its own
 * {@link #keyPrefix()}.
 *
 * <p>Tests that stop Redis (outage and recovery) take a {@link #privateInstance()} instead, which
 * is always embedded.
 */
public final class RedisFixture {

  private static final List<Instance> STARTED = new CopyOnWriteArrayList<>();
  private static Instance shared;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(RedisFixture::stopAll, "redis-fixture-stop"));
  }

  private RedisFixture() {}

  /** {@code redis://127.0.0.1:PORT} of the shared instance, or {@code POSTERN_TEST_REDIS_URL}. */
  public static synchronized String url() {
    String external = System.getenv("POSTERN_TEST_REDIS_URL");
    if (external != null && !external.isBlank()) {
      return external;
    }
    String container = ContainerFixture.redisUrl().orElse(null);
    if (container != null) {
      return container;
    }
    if (shared == null) {
      shared = privateInstance();
    }
    return shared.url();
  }

  /** A fresh prefix, so a test's keys never meet another test's. */
  public static String keyPrefix() {
    return "test-" + UUID.randomUUID();
  }

  /** A new, running embedded Redis that only the caller uses; {@link Instance#close()} it. */
  public static Instance privateInstance() {
    Instance instance = new Instance(freePort());
    instance.start();
    return instance;
  }

  /** A port nothing listens on right now (a closed port, for unreachable-Redis tests). */
  public static int freePort() {
    return FreePort.next();
  }

  private static void stopAll() {
    STARTED.forEach(Instance::stop);
  }

  /** One embedded redis-server process; can be stopped and started again on the same port. */
  public static final class Instance implements AutoCloseable {

    private final int port;
    private final RedisServer server;

    private Instance(int port) {
      this.port = port;
      try {
        this.server = RedisServer.newRedisServer()
            .port(port)
            .bind("127.0.0.1")
            .setting("save \"\"")       // no RDB snapshot on shutdown: nothing to keep
            .setting("appendonly no")
            .build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public String url() {
      return "redis://127.0.0.1:" + port;
    }

    public int port() {
      return port;
    }

    /** Starts the process and waits until it accepts connections. */
    public void start() {
      try {
        server.start();
        STARTED.add(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Stops the process and waits for it to exit, so the port is free again. */
    public void stop() {
      try {
        server.stop();
        STARTED.remove(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      stop();
    }
  }
}
