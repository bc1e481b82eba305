package dev.postern.blob.filesystem;

import dev.postern.blob.BlobInfo;
import dev.postern.blob.BlobKey;
import dev.postern.blob.BlobNotFoundException;
import dev.postern.blob.BlobStore;
import dev.postern.blob.BlobStoreException;
import dev.postern.blob.BufferViews;
import dev.postern.blob.stream.InputStreamReadStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@link BlobStore} on a local directory, for the embedded deployment. A key is a relative path
 * under the root. Writes go through {@link TempFile} (temp file, fsync, atomic rename, directory
 * fsync shared with concurrent writes by {@link DirectorySync}), so an object is either whole or
 * absent, even after {@code kill -9}. Every blocking call
 * runs on the {@value #EXECUTOR_NAME} worker pool, never on an event loop.
 *
 * <p>Keys that are prefixes of each other as paths ({@code a} and {@code a/b}) cannot both exist
 * here, unlike on S3; Postern's keys never do that.
 */
public final class FilesystemBlobStore implements BlobStore {

  public static final String EXECUTOR_NAME = "postern-blob-io";
  private static final int WORKERS = 8;

  private final Vertx vertx;
  private final Path root;
  private final WorkerExecutor executor;
  private final DirectorySync directories = new DirectorySync();
  private final Instant createdAt = Instant.now();

  /** Usable at once; {@link #create} also prepares the root and sweeps crashed writes. */
  public FilesystemBlobStore(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root.toAbsolutePath().normalize();
    this.executor = vertx.createSharedWorkerExecutor(EXECUTOR_NAME, WORKERS);
  }

  /** Creates the root if needed and deletes temp files left by writes that crashed earlier. */
  public static Future<FilesystemBlobStore> create(Vertx vertx, Path root) {
    FilesystemBlobStore store = new FilesystemBlobStore(vertx, root);
    return store.sweepTempFiles().map(swept -> store);
  }

  /**
   * Deletes temp files older than this store: they belong to writes of a process that died
   * (one process owns the directory), while newer ones may be writes in flight.
   *
   * @return how many were deleted
   */
  public Future<Integer> sweepTempFiles() {
    return blocking(() -> {
      Files.createDirectories(root);
      return DirectoryWalk.deleteTempFilesOlderThan(root, createdAt);
    });
  }

  @Override
  public Future<Void> put(String key, Buffer content) {
    return resolve(key).compose(target -> blocking(() -> {
      TempFile file = TempFile.create(target, directories);
      try {
        file.write(BufferViews.of(content));
      } catch (IOException | RuntimeException e) {
        file.discard();
        throw e;
      }
      file.commit();
      return null;
    }));
  }

  @Override
  public Future<Long> put(String key, ReadStream<Buffer> content) {
    return resolve(key).compose(target ->
        FileUpload.run(content, target, directories, executor,
            err -> storeFailure("write", err)));
  }

  @Override
  public Future<Buffer> get(String key) {
    return resolve(key).compose(path -> blocking(() -> {
      try {
        return Buffer.buffer(Files.readAllBytes(path));
      } catch (NoSuchFileException | NotDirectoryException e) {
        throw new BlobNotFoundException(key);
      } catch (IOException e) {
        if (Files.isDirectory(path)) {
          throw new BlobNotFoundException(key);
        }
        throw e;
      }
    }));
  }

  @Override
  public Future<ReadStream<Buffer>> open(String key) {
    return resolve(key).compose(path -> blocking(() -> {
      if (!Files.isRegularFile(path)) {
        throw new BlobNotFoundException(key);
      }
      try {
        return Files.newInputStream(path);
      } catch (NoSuchFileException e) {
        throw new BlobNotFoundException(key);
      }
    })).map(this::stream);
  }

  private ReadStream<Buffer> stream(InputStream input) {
    return new InputStreamReadStream(vertx, input, executor, err -> storeFailure("read", err));
  }

  @Override
  public Future<Boolean> delete(String key) {
    return resolve(key).compose(path -> blocking(() -> {
      if (!Files.isRegularFile(path) || !Files.deleteIfExists(path)) {
        return false;
      }
      directories.sync(path.getParent());
      return true;
    }));
  }

  @Override
  public Future<Boolean> exists(String key) {
    return resolve(key).compose(path -> blocking(() -> Files.isRegularFile(path)));
  }

  @Override
  public Future<List<BlobInfo>> list(String prefix, int max) {
    try {
      BlobKey.requireValidPrefix(prefix);
      if (max < 0) {
        throw new IllegalArgumentException("max must not be negative");
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return blocking(() -> DirectoryWalk.list(root, prefix, max));
  }

  /** Writable root: creates and deletes a temp file (no fsync: a probe, not data). */
  @Override
  public Future<Void> ping() {
    return blocking(() -> {
      Path probe = Files.createTempFile(root, BlobKey.TEMP_PREFIX + "ping-", "");
      Files.delete(probe);
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    return executor.close();
  }

  private Future<Path> resolve(String key) {
    try {
      Path path = root.resolve(BlobKey.requireValid(key)).normalize();
      if (!path.startsWith(root) || path.equals(root)) {
        throw new IllegalArgumentException("blob key escapes the store root");
      }
      return Future.succeededFuture(path);
    } catch (IllegalArgumentException e) {
      // includes InvalidPathException: a name this file system cannot hold
      return Future.failedFuture(e);
    }
  }

  /** Runs blocking I/O on the worker pool; I/O failures become {@link BlobStoreException}. */
  private <T> Future<T> blocking(Callable<T> work) {
    return executor.executeBlocking(work, false)
        .recover(err -> Future.failedFuture(storeFailure("I/O", err)));
  }

  private static Throwable storeFailure(String operation, Throwable err) {
    if (err instanceof BlobNotFoundException || err instanceof IllegalArgumentException
        || err instanceof BlobStoreException) {
      return err;
    }
    return new BlobStoreException("filesystem blob store " + operation + " failed: " + err, err);
  }
}
