package dev.postern.blob.filesystem;

import static dev.postern.blob.Await.failure;
import static dev.postern.blob.Await.onContext;
import static dev.postern.blob.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.blob.BlobKey;
import dev.postern.blob.BlobNotFoundException;
import dev.postern.blob.BlobStore;
import dev.postern.blob.BlobStoreContract;
import dev.postern.blob.GeneratedStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreIT implements BlobStoreContract {

  private static Vertx vertx;

  @TempDir
  Path root;

  private FilesystemBlobStore store;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    result(vertx.close());
  }

  @BeforeEach
  void createStore() {
    store = result(FilesystemBlobStore.create(vertx, root));
  }

  @AfterEach
  void leavesNoTempFiles() throws IOException {
    assertThat(tempFiles()).isEmpty();
    result(store.close());
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public BlobStore store() {
    return store;
  }

  @Test
  void writesTheObjectAsAFileUnderTheRoot() throws IOException {
    result(store.put("out/2026/11/22/a.eml", Buffer.buffer("mime")));

    assertThat(Files.readString(root.resolve("out/2026/11/22/a.eml"))).isEqualTo("mime");
  }

  @Test
  void failedStreamedPutLeavesNoTempFile() throws IOException {
    failure(onContext(vertx,
        () -> store.put("out/broken.eml", GeneratedStream.failingAfter(vertx, 3 * 1024 * 1024))));

    assertThat(tempFiles()).isEmpty();
    assertThat(Files.exists(root.resolve("out/broken.eml"))).isFalse();
  }

  @Test
  void startUpSweepsTempFilesOfCrashedWrites() throws IOException {
    Path directory = Files.createDirectories(root.resolve("out/2026"));
    Path crashed = Files.writeString(directory.resolve(BlobKey.TEMP_PREFIX + "crashed"), "half");
    Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    result(store.put("out/2026/kept.eml", Buffer.buffer("whole")));

    FilesystemBlobStore restarted = result(FilesystemBlobStore.create(vertx, root));

    assertThat(crashed).doesNotExist();
    assertThat(result(restarted.get("out/2026/kept.eml")).toString()).isEqualTo("whole");
    assertThat(result(restarted.list("out/", 10))).hasSize(1);
  }

  @Test
  void tempFilesAreNeverListedOrRead() throws IOException {
    Path directory = Files.createDirectories(root.resolve("out"));
    Files.writeString(directory.resolve(BlobKey.TEMP_PREFIX + "inflight"), "half");

    assertThat(result(store.list("out/", 10))).isEmpty();
    Files.delete(directory.resolve(BlobKey.TEMP_PREFIX + "inflight"));
  }

  @Test
  void aDirectoryIsNotAnObject() {
    result(store.put("out/a/b.eml", Buffer.buffer("x")));

    assertThat(failure(store.get("out/a"))).isInstanceOf(BlobNotFoundException.class);
    assertThat(failure(store.open("out/a"))).isInstanceOf(BlobNotFoundException.class);
    assertThat(result(store.exists("out/a"))).isFalse();
    assertThat(result(store.delete("out/a"))).isFalse();
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.getFileName().toString().startsWith(BlobKey.TEMP_PREFIX))
          .toList();
    }
  }
}
