package dev.postern.blob.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared directory fsyncs: callers that arrive while a sync runs are covered by one later sync,
 * never by the one already running (it may have started before their rename), and a failed
 * sync fails no one it did not cover silently.
 */
class DirectorySyncTest {

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  /** An fsync that blocks until released, counting starts and ends. */
  private static final class HeldFsync implements DirectorySync.Fsync {
    final Semaphore started = new Semaphore(0);
    final Semaphore release = new Semaphore(0);
    final AtomicInteger calls = new AtomicInteger();
    volatile IOException failNext;

    @Override
    public void run(Path directory) throws IOException {
      calls.incrementAndGet();
      started.release();
      release.acquireUninterruptibly();
      IOException failure = failNext;
      failNext = null;
      if (failure != null) {
        throw failure;
      }
    }
  }

  @Test
  void callersArrivingDuringASyncShareTheNextOne() throws Exception {
    HeldFsync fsync = new HeldFsync();
    DirectorySync sync = new DirectorySync(fsync);
    Path dir = Path.of("/some/dir");

    Future<?> first = threads.submit(() -> sync(sync, dir));
    assertThat(fsync.started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    List<Future<?>> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      later.add(threads.submit(() -> sync(sync, dir)));
    }
    waitUntilQueued(sync, dir, 6);

    fsync.release.release(); // the first sync ends: it covers only the first caller
    first.get(10, TimeUnit.SECONDS);
    assertThat(fsync.started.tryAcquire(10, TimeUnit.SECONDS)).isTrue(); // one more sync starts
    for (Future<?> f : later) {
      assertThat(f.isDone()).as("returned before a sync that started after its call").isFalse();
    }
    fsync.release.release();
    for (Future<?> f : later) {
      f.get(10, TimeUnit.SECONDS);
    }

    assertThat(fsync.calls).hasValue(2);
  }

  @Test
  void aFailedSyncFailsItsCallerAndTheWaitersSyncAgain() throws Exception {
    HeldFsync fsync = new HeldFsync();
    DirectorySync sync = new DirectorySync(fsync);
    Path dir = Path.of("/some/dir");

    Future<?> first = threads.submit(() -> sync(sync, dir));
    assertThat(fsync.started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    Future<?> waiter = threads.submit(() -> sync(sync, dir));
    waitUntilQueued(sync, dir, 2);
    fsync.failNext = new IOException("disk gone");
    fsync.release.release();

    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("disk gone");
    assertThat(fsync.started.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    fsync.release.release();
    waiter.get(10, TimeUnit.SECONDS);
    assertThat(fsync.calls).hasValue(2);
  }

  @Test
  void syncsARealDirectoryFromManyThreads(@TempDir Path dir) throws Exception {
    DirectorySync sync = new DirectorySync();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int n = i;
      all.add(threads.submit(() -> {
        go.await();
        Files.writeString(dir.resolve("f" + n), "x");
        sync.sync(dir);
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : all) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(Files.list(dir).count()).isEqualTo(16);
  }

  private static Void sync(DirectorySync sync, Path dir) throws IOException {
    sync.sync(dir);
    return null;
  }

  /** Waits (a condition, not a sleep) until {@code users} callers have entered the directory's sync. */
  private static void waitUntilQueued(DirectorySync sync, Path dir, int users)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sync.users(dir) < users) {
      assertThat(System.nanoTime()).as("callers queued").isLessThan(deadline);
      Thread.onSpinWait();
      Thread.sleep(1);
    }
  }
}
