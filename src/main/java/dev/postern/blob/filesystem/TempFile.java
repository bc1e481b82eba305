package dev.postern.blob.filesystem;

import dev.postern.blob.BlobKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;

/**
 * A file being written next to its final name, made visible only by {@link #commit()}: fsync the
 * data, rename over the target (atomic on POSIX file systems), fsync the directory so the rename
 * itself survives a crash. Until then readers see the old object or none. Every method blocks:
 * call them on a worker thread only.
 */
final class TempFile {

  private final Path target;
  private final Path path;
  private final FileChannel channel;
  private final DirectorySync directories;
  private long written;

  private TempFile(Path target, Path path, FileChannel channel, DirectorySync directories) {
    this.target = target;
    this.path = path;
    this.channel = channel;
    this.directories = directories;
  }

  /**
   * Creates the target's missing directories (durably) and an empty temp file beside it;
   * {@code directories} shares the commit's directory fsync with concurrent commits.
   */
  static TempFile create(Path target, DirectorySync directories) throws IOException {
    Path directory = target.getParent();
    createDirectoriesDurably(directory);
    Path path = directory.resolve(BlobKey.TEMP_PREFIX + UUID.randomUUID());
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    return new TempFile(target, path, channel, directories);
  }

  void write(ByteBuffer... buffers) throws IOException {
    long remaining = 0;
    for (ByteBuffer buffer : buffers) {
      remaining += buffer.remaining();
    }
    while (remaining > 0) {
      long count = channel.write(buffers);
      remaining -= count;
      written += count;
    }
  }

  long written() {
    return written;
  }

  /** Makes the content durable and visible under the target name, replacing any old object. */
  void commit() throws IOException {
    try {
      channel.force(true);
      channel.close();
      Files.move(path, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
    directories.sync(target.getParent());
  }

  /** Drops the partial content; never throws, the sweep catches what is left behind. */
  void discard() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a file we only wrote to cannot lose anything we still want
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // left for the start-up sweep of temp files
    }
  }

  /** A new directory entry is durable only once its parent directory is fsynced. */
  private static void createDirectoriesDurably(Path directory) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = directory; d != null && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    if (missing.isEmpty()) {
      return;
    }
    Files.createDirectories(directory);
    for (Path created : missing) {
      DirectorySync.fsyncNow(created.getParent());
    }
  }
}
