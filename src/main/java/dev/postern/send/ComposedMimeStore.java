package dev.postern.send;

import dev.postern.blob.BlobStore;
import dev.postern.blob.Sha256;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.util.function.Supplier;

/**
 * Composes a REST request's MIME ({@link MimeSource.Composed}) and stores it: inline in its row
 * up to {@link SubmissionService#INLINE_LIMIT}, else in the blob store, durably before the row
 * commits. Where it is composed depends on its estimated size:
 * <ul>
 *   <li>small (within the request's {@link EventLoopComposeBudget}): on the event loop;</li>
 *   <li>up to {@link #IN_MEMORY_LIMIT}: once, on the {@code postern-cpu} worker, into one
 *       buffer that is digested and handed whole to the store — one pass and no copy between
 *       the composer and the file (the 200 KB attachments of send-attach);</li>
 *   <li>larger: measured first (so an oversized message is refused before anything is
 *       stored), then streamed by {@link LargeMimeWriter} without ever being held whole.</li>
 * </ul>
 * The size cap ({@code maxMessageBytes}) is checked on the composed size in every case.
 */
final class ComposedMimeStore {

  /**
   * Estimated bodies up to this size are composed whole in memory. The request holding them
   * already takes about twice this (its JSON and the parsed text), so the composed copy at
   * most adds half again; beyond it a 25 MB attachment would be held twice.
   */
  static final long IN_MEMORY_LIMIT = 1024 * 1024;

  private final BlobStore blobs;
  private final WorkerExecutor cpu;
  private final MimeComposer composer;
  private final LargeMimeWriter large;
  private final long maxMessageBytes;

  ComposedMimeStore(Vertx vertx, BlobStore blobs, WorkerExecutor cpu, MimeComposer composer,
      long maxMessageBytes) {
    this.blobs = blobs;
    this.cpu = cpu;
    this.composer = composer;
    this.large = new LargeMimeWriter(vertx, blobs, cpu, composer);
    this.maxMessageBytes = maxMessageBytes;
  }

  Future<SubmissionService.StoredMime> store(SendRequest request, MessageStamp stamp,
      Supplier<String> blobKey, EventLoopComposeBudget onLoop) {
    long estimate = estimate(request);
    if (onLoop.take(estimate)) {
      return store(composed(composer.compose(request, stamp)), blobKey);
    }
    if (estimate <= IN_MEMORY_LIMIT) {
      return cpu.executeBlocking(() -> composed(composer.compose(request, stamp)), false)
          .compose(mime -> store(mime, blobKey));
    }
    return cpu.executeBlocking(() -> composer.measure(request, stamp), false).compose(size -> {
      if (size > maxMessageBytes) {
        return Future.failedFuture(tooLarge(size));
      }
      return large.write(blobKey.get(), request, stamp);
    });
  }

  /** A composed message and its digest, taken where it was composed. */
  private record Composed(Buffer mime, byte[] sha256) {}

  private static Composed composed(Buffer mime) {
    return new Composed(mime, Sha256.of(mime));
  }

  private Future<SubmissionService.StoredMime> store(Composed composed, Supplier<String> blobKey) {
    Buffer mime = composed.mime();
    if (mime.length() > maxMessageBytes) {
      return Future.failedFuture(tooLarge(mime.length()));
    }
    if (mime.length() <= SubmissionService.INLINE_LIMIT) {
      return Future.succeededFuture(
          new SubmissionService.StoredMime(mime, null, mime.length(), composed.sha256()));
    }
    String key = blobKey.get();
    return blobs.put(key, mime)
        .map(v -> new SubmissionService.StoredMime(null, key, mime.length(), composed.sha256()));
  }

  private Refusal tooLarge(long size) {
    return Refusal.of(Reason.TOO_LARGE,
        "the composed message is " + size + " bytes; the limit is " + maxMessageBytes);
  }

  /** The characters of the user's content: what composing costs, and about what it yields. */
  private static long estimate(SendRequest request) {
    long size = request.subject().length() + request.text().map(String::length).orElse(0)
        + request.html().map(String::length).orElse(0);
    for (SendRequest.Attachment attachment : request.attachments()) {
      size += attachment.base64().length();
    }
    return size;
  }
}
