package dev.postern.blob.filesystem;

import dev.postern.blob.BufferViews;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One streaming put into a {@link TempFile}: chunks are written as they arrive, in order, one
 * worker write at a time (chunks arriving meanwhile are gathered into the next write); the
 * source is paused while more than {@link #HIGH_WATER} bytes wait. Runs on the source's context.
 * The temp file is committed when the source ends, and discarded if the source or a write fails.
 */
final class FileUpload {

  static final long HIGH_WATER = 1024 * 1024;

  private final ReadStream<Buffer> source;
  private final WorkerExecutor executor;
  private final Function<Throwable, Throwable> failures;
  private final Promise<Long> result = Promise.promise();
  private final List<Buffer> pending = new ArrayList<>();
  private TempFile file;
  private boolean creating = true;
  private Throwable failure;
  private long unwrittenBytes;
  private boolean writing;
  private boolean paused;
  private boolean ended;
  private boolean done;

  private FileUpload(ReadStream<Buffer> source, WorkerExecutor executor,
      Function<Throwable, Throwable> failures) {
    this.source = source;
    this.executor = executor;
    this.failures = failures;
  }

  /**
   * Streams {@code source} into {@code target}. Source failures are reported as they are (the
   * sender broke off, the store is fine); file-system failures go through {@code failures}.
   */
  static Future<Long> run(ReadStream<Buffer> source, Path target, DirectorySync directories,
      WorkerExecutor executor, Function<Throwable, Throwable> failures) {
    FileUpload upload = new FileUpload(source, executor, failures);
    source.pause();
    source.handler(upload::onData);
    source.exceptionHandler(upload::onSourceFailure);
    source.endHandler(v -> upload.onEnd());
    executor.executeBlocking(() -> TempFile.create(target, directories), false)
        .onComplete(ar -> upload.onFileCreated(ar.result(), ar.cause()));
    return upload.result.future();
  }

  private void onFileCreated(TempFile created, Throwable err) {
    creating = false;
    file = created;
    if (err != null) {
      fail(failures.apply(err));
    } else if (done) {
      discardThenFail();
    } else {
      source.resume();
      flush();
    }
  }

  private void onData(Buffer chunk) {
    if (done) {
      return;
    }
    pending.add(chunk);
    unwrittenBytes += chunk.length();
    if (unwrittenBytes >= HIGH_WATER && !paused) {
      paused = true;
      source.pause();
    }
    flush();
  }

  private void onEnd() {
    ended = true;
    flush();
  }

  private void onSourceFailure(Throwable err) {
    fail(err);
  }

  /** Starts the next write, or the commit once everything is written and the source ended. */
  private void flush() {
    if (writing || done || file == null) {
      return;
    }
    if (!pending.isEmpty()) {
      ByteBuffer[] batch = pending.stream().map(BufferViews::of).toArray(ByteBuffer[]::new);
      long batchBytes = pending.stream().mapToLong(Buffer::length).sum();
      pending.clear();
      writing = true;
      executor.executeBlocking(() -> {
        file.write(batch);
        return null;
      }, false).onComplete(ar -> afterWrite(ar.failed() ? ar.cause() : null, batchBytes));
    } else if (ended) {
      done = true;
      writing = true;
      executor.executeBlocking(() -> {
        file.commit();
        return file.written();
      }, false).recover(err -> Future.failedFuture(failures.apply(err))).onComplete(result);
    }
  }

  private void afterWrite(Throwable writeFailure, long batchBytes) {
    writing = false;
    if (done) {
      discardThenFail();
      return;
    }
    if (writeFailure != null) {
      fail(failures.apply(writeFailure));
      return;
    }
    unwrittenBytes -= batchBytes;
    if (paused && unwrittenBytes < HIGH_WATER / 2) {
      paused = false;
      source.resume();
    }
    flush();
  }

  /** Fails the put once no temp file is left: now, or when the write or create in flight ends. */
  private void fail(Throwable err) {
    if (done) {
      return;
    }
    done = true;
    failure = err;
    pending.clear();
    if (!writing && !creating) {
      discardThenFail();
    }
  }

  private void discardThenFail() {
    TempFile partial = file;
    Future<Void> discarded = partial == null ? Future.succeededFuture()
        : executor.executeBlocking(() -> {
          partial.discard();
          return null;
        }, false);
    discarded.onComplete(v -> result.fail(failure));
  }
}
