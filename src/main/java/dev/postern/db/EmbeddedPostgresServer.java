package dev.postern.db;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's own PostgreSQL server, in {@code <data dir>/pg}, persistent across
 * restarts. Every method blocks (it forks initdb / pg_ctl): call it from a worker or from main.
 *
 * <p>zonky's launcher starts the server through {@code pg_ctl}, so it is a daemon that outlives a
 * {@code kill -9} of the JVM. A lock file proves no live gateway owns the directory; with it held,
 * a postmaster still running there is an orphan of a killed gateway and is stopped before start.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  static final String DATABASE = "postgres";
  static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private boolean stopped;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, FileChannel lockChannel, FileLock lock) {
    this.postgres = postgres;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Starts (initialising on first use) the server whose files live in {@code directory}. */
  public static EmbeddedPostgresServer start(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path lockFile = directory.resolveSibling(directory.getFileName() + ".lock");
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by this same JVM
    }
    if (lock == null) {
      channel.close();
      throw new IOException("data directory " + directory.getParent()
          + " is in use by another running Postern process");
    }
    try {
      stopOrphan(directory);
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(directory)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          // zonky defaults synchronous_commit to off; an accepted message must survive a crash.
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "200")
          // A commit must not wait behind a new WAL segment being zero-filled and fsynced (16 MB):
          // that stall was the accept path's p99 (66 ms at half the peak, 17.7 ms without it,
          // session 8). Segments are created sparse and, once written, kept for reuse.
          .setServerConfig("wal_init_zero", "off")
          .setServerConfig("min_wal_size", "512MB")
          .setServerConfig("max_wal_size", "2GB")
          // Backends that evict dirty buffers ask the kernel to write them out every 256 kB
          // (sync_file_range) rather than leaving them to its 30-second expiry: otherwise the
          // kernel flushed ~450 MB of heap at once every 30 s under send load, the WAL's
          // fdatasync queued behind it, and commits stalled 150-300 ms (send-small's open-model
          // p99, session 14). PostgreSQL's default (0) leaves this off.
          .setServerConfig("backend_flush_after", "256kB")
          // The data sits on local SSD and mostly in the page cache, so a random page costs about
          // what a sequential one does. At PostgreSQL's default (4) the work queues' statements,
          // planned once per connection while a fresh install's tables were small, chose
          // sequential scans and hash joins and kept them while the tables grew, until
          // autovacuum's next ANALYZE (a minute or more): in e2e-relay the delivery settle took
          // 5-10 ms instead of 0.3, in mx-accept the filing read 1.3 million tuples of
          // inbound_deliveries and inbound_raw a second and fell behind the MX (session 18). At
          // 1.1 every plan is index lookups even on empty tables (QueuePlansIT).
          .setServerConfig("random_page_cost", "1.1")
          .setPGStartupWait(Duration.ofSeconds(60))
          .start();
      return new EmbeddedPostgresServer(postgres, channel, lock);
    } catch (IOException | RuntimeException e) {
      lock.release();
      channel.close();
      throw e;
    }
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost("127.0.0.1")
        .setPort(postgres.getPort())
        .setDatabase(DATABASE)
        .setUser(USER)
        .setPassword("");
  }

  /** Fast shutdown (pg_ctl stop -m fast), then releases the directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.debug("lock release failed", e);
    }
  }

  private static void stopOrphan(Path directory) throws IOException {
    Path pidFile = directory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> orphan = readPid(pidFile).flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return; // stale pid file from a crash; PostgreSQL removes it itself on start
    }
    ProcessHandle process = orphan.get();
    log.warn("stopping PostgreSQL pid {} left running by a previous gateway process", process.pid());
    // SIGINT = PostgreSQL "fast" shutdown: rolls back open transactions, checkpoints, exits.
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
      process.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("could not stop the orphaned PostgreSQL (pid " + process.pid() + ")", e);
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).get(0).trim();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
