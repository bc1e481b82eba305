package dev.postern.send;

import dev.postern.blob.BlobStore;
import dev.postern.blob.Sha256;
import dev.postern.blob.stream.InputStreamReadStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Composes large MIME straight into the blob store: the composer writes on a CPU worker into a
 * pipe that a second worker drains into a streaming put, so a 25 MB attachment is never
 * re-materialised. The row commits only after the put succeeded (fsynced); a failed compose
 * leaves at most an unreferenced blob, never an acknowledged message.
 */
final class LargeMimeWriter {

  /**
   * Threads that drain composed large MIME into the blob store, and so the most large messages
   * composed at once: a composer blocks its CPU worker on a full pipe until that pipe's reader
   * runs, so with more pipes than reader threads, composers waiting on full pipes and readers
   * waiting on pipes whose composers are still queued behind them can wait on each other forever.
   */
  private static final int PIPE_READERS = 8;

  private final Vertx vertx;
  private final BlobStore blobs;
  private final WorkerExecutor cpu;
  private final WorkerExecutor pipeReaders;
  private final AsyncPermits largeCompositions;
  private final MimeComposer composer;

  LargeMimeWriter(Vertx vertx, BlobStore blobs, WorkerExecutor cpu, MimeComposer composer) {
    this.vertx = vertx;
    this.blobs = blobs;
    this.cpu = cpu;
    this.composer = composer;
    this.pipeReaders = vertx.createSharedWorkerExecutor("postern-mime-pipe", PIPE_READERS);
    this.largeCompositions = new AsyncPermits(vertx, PIPE_READERS);
  }

  Future<SubmissionService.StoredMime> write(String key, SendRequest request, MessageStamp stamp) {
    return largeCompositions.acquire().compose(permit -> {
      PipedInputStream in = new PipedInputStream(64 * 1024);
      PipedOutputStream out;
      try {
        out = new PipedOutputStream(in);
      } catch (IOException e) {
        largeCompositions.release();
        return Future.failedFuture(e);
      }
      MessageDigest digest = Sha256.fresh();
      Future<Long> stored = blobs.put(key, new InputStreamReadStream(vertx, in, pipeReaders, e -> e))
          .onFailure(e -> closeQuietly(in));
      Future<Long> written = cpu.executeBlocking(() -> {
        try (OutputStream sink = new DigestOutputStream(out, digest)) {
          return composer.writeTo(request, stamp, sink);
        }
      }, false);
      // Waits for both sides: the permit goes back only when both are done, and when the store
      // fails, the composer's "Pipe closed" (its reader went away) is a consequence, not the cause
      // — the store's failure is the one reported (502 storage_unavailable, not a 500).
      return Future.join(written, stored).transform(done -> {
        largeCompositions.release();
        if (stored.failed()) {
          return Future.failedFuture(stored.cause());
        }
        if (written.failed()) {
          return Future.failedFuture(written.cause());
        }
        return Future.succeededFuture(
            new SubmissionService.StoredMime(null, key, written.result(), digest.digest()));
      });
    });
  }

  private static void closeQuietly(PipedInputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the writer sees a closed pipe and stops
    }
  }
}
