package dev.postern.blob.filesystem;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Directory fsyncs shared by the writers that need them at the same time (group commit for
 * directory entries). A rename is durable once its directory is fsynced after it (POSIX leaves
 * directory entries to {@code fsync} of the directory; ext4 and XFS flush every entry of the
 * directory with it), so one fsync started after several renames covers all of them. A caller
 * whose rename happened while another fsync of the directory was already running waits for it,
 * then for the next one, which it or another waiter starts; callers never wait for a sync that
 * started before their own rename. Concurrent blob writes into one day's directory
 * ({@code out/yyyy/MM/dd}) so pay for about one directory fsync per batch, not one each.
 *
 * <p>Blocking: call on worker threads only. Thread-safe.
 */
final class DirectorySync {

  /** The system call, replaceable so tests can hold a sync open and count them. */
  interface Fsync {
    void run(Path directory) throws IOException;
  }

  private final Map<Path, Directory> directories = new ConcurrentHashMap<>();
  private final Fsync fsync;

  DirectorySync() {
    this(DirectorySync::fsyncNow);
  }

  DirectorySync(Fsync fsync) {
    this.fsync = fsync;
  }

  /** Returns once an fsync of {@code directory} started after this call has completed. */
  void sync(Path directory) throws IOException {
    Directory state = directories.computeIfAbsent(directory, path -> new Directory(path, fsync));
    try {
      state.sync();
    } finally {
      state.forgetIfIdle(directories);
    }
  }

  /** Callers inside {@link #sync} for this directory now (for tests). */
  int users(Path directory) {
    Directory state = directories.get(directory);
    if (state == null) {
      return 0;
    }
    synchronized (state) {
      return state.users;
    }
  }

  /** Immediate fsync of one directory, shared by nobody (creation of directories, deletes). */
  static void fsyncNow(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** Tickets are taken after the caller's rename; a sync covers every ticket taken before it started. */
  private static final class Directory {
    private final Path path;
    private final Fsync fsync;
    private long taken;
    private long covered;
    private boolean running;
    private int users;

    Directory(Path path, Fsync fsync) {
      this.path = path;
      this.fsync = fsync;
    }

    void sync() throws IOException {
      long ticket;
      synchronized (this) {
        users++;
        ticket = ++taken;
      }
      while (true) {
        long upTo;
        synchronized (this) {
          while (running && covered < ticket) {
            awaitSync();
          }
          if (covered >= ticket) {
            return;
          }
          running = true;
          upTo = taken;
        }
        boolean synced = false;
        try {
          fsync.run(path);
          synced = true;
        } finally {
          synchronized (this) {
            running = false;
            if (synced) {
              covered = Math.max(covered, upTo);
            }
            notifyAll();
          }
        }
        // A failed fsync threw above: its waiters each start one of their own and see the error.
      }
    }

    /** Drops this entry when nobody uses it; a late user of a dropped entry still syncs itself. */
    void forgetIfIdle(Map<Path, Directory> directories) {
      synchronized (this) {
        if (--users > 0) {
          return;
        }
      }
      directories.remove(path, this);
    }

    private void awaitSync() throws InterruptedIOException {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for a directory fsync");
      }
    }
  }
}
