package dev.postern.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL server that only its test uses, so the test can stop and start it (outage and
 * recovery). Its data directory persists across {@link #stop()} / {@link #start()} and its port
 * is pinned, so a gateway keeps the same {@link #url()} throughout. Settings match the embedded
 * production server where durability matters (synchronous_commit and fsync on). {@link #close()}
 * stops it and deletes its files; a shutdown hook does the same if the test never gets there.
 */
public final class RestartablePostgres implements AutoCloseable {

  private final Path directory;
  private final int port;
  private final Thread hook;
  private EmbeddedPostgres postgres;

  private RestartablePostgres(Path directory, int port) {
    this.directory = directory;
    this.port = port;
    this.hook = new Thread(this::stopQuietly, "restartable-pg-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Initialises a fresh cluster in a temporary directory and starts it on a free port. */
  public static RestartablePostgres start() {
    try {
      RestartablePostgres server = new RestartablePostgres(
          Files.createTempDirectory("postern-pg-restartable-"), FreePort.next());
      server.startAgain();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code postgresql://postgres@127.0.0.1:PORT/postgres}; the same before and after restarts. */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  public int port() {
    return port;
  }

  public synchronized boolean running() {
    return postgres != null;
  }

  /** Starts the server again on the same directory and port; blocks until it accepts connections. */
  public synchronized void startAgain() {
    if (postgres != null) {
      return;
    }
    try {
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(directory)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          .setPort(port)
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "100")
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL in " + directory + " did not start", e);
    }
  }

  /** Fast shutdown (open sessions are terminated, as when an operator stops the server). */
  public synchronized void stop() {
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL in " + directory + " did not stop", e);
    } finally {
      postgres = null;
    }
  }

  /**
   * A crash: SIGKILL of the postmaster, no shutdown checkpoint; the next {@link #startAgain()}
   * runs crash recovery from the WAL. Waits until its backends, which exit on their own once
   * they see the postmaster gone, have left the shared memory a new postmaster must own.
   */
  public synchronized void crash() {
    if (postgres == null) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readAllLines(directory.resolve("postmaster.pid")).get(0).trim());
      ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
      java.util.List<ProcessHandle> backends = postmaster.children().toList();
      postmaster.destroyForcibly();
      postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
      for (ProcessHandle backend : backends) {
        try {
          backend.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stuck) {
          backend.destroyForcibly();
          backend.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not SIGKILL PostgreSQL in " + directory, e);
    } finally {
      try {
        postgres.close(); // pg_ctl stop finds no server; this releases zonky's directory lock
      } catch (IOException | RuntimeException alreadyDead) {
        // expected: there is nothing left to stop
      }
      postgres = null;
    }
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException ignored) {
      // JVM exiting
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) {
        // already shutting down
      }
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp directory: the OS cleans it eventually
      }
    }
  }
}
