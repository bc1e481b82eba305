package dev.postern.send;

import dev.postern.blob.BlobStore;
import dev.postern.blob.BlobStoreException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.Supplier;

/**
 * Stores a {@link MimeSource.Streamed} message as it arrives: in memory while it is at most the
 * inline limit (then it goes inline into its row), else — from the first chunk over the limit —
 * streamed straight into the blob store, which paces the sender (its put pauses the stream, and
 * the stream pauses the connection). Never holds more than the inline limit plus one chunk.
 * Digests both what is stored (the row's {@code mime_sha256}) and what was received (resend
 * detection) on the way. A failed put (the size cap, the sender gone, the store down) leaves no
 * blob: the store's contract keeps a failed put invisible, and we delete the key as well unless
 * the store itself is down.
 */
final class StreamedMimeStore {

  /** Exactly one of {@code inline} / {@code blobKey}. */
  record Stored(Buffer inline, String blobKey, long size, byte[] sha256, byte[] receivedSha256) {}

  private final BlobStore blobs;
  private final long inlineLimit;
  private final Supplier<String> blobKey;
  private final ReceivedMessageStream body;
  private final MessageDigest stored = sha256();
  private final MessageDigest received;
  private final Promise<Stored> result = Promise.promise();
  private Buffer collected;

  private StreamedMimeStore(BlobStore blobs, long inlineLimit, Supplier<String> blobKey,
      MimeSource.Streamed message) {
    this.blobs = blobs;
    this.inlineLimit = inlineLimit;
    this.blobKey = blobKey;
    this.body = message.body();
    this.received = message.receivedSha256();
    this.collected = Buffer.buffer().appendBuffer(message.head());
    stored.update(message.head().getBytes());
  }

  /** Call on the stream's context. */
  static Future<Stored> store(BlobStore blobs, long inlineLimit, Supplier<String> blobKey,
      MimeSource.Streamed message) {
    StreamedMimeStore store = new StreamedMimeStore(blobs, inlineLimit, blobKey, message);
    store.start();
    return store.result.future();
  }

  private void start() {
    body.tap(chunk -> {
      byte[] bytes = chunk.getBytes();
      received.update(bytes);
      stored.update(bytes);
    });
    body.exceptionHandler(result::tryFail);
    body.endHandler(v -> result.tryComplete(new Stored(collected, null, collected.length(),
        stored.digest(), received.digest())));
    body.handler(this::collect);
    body.resume();
  }

  private void collect(Buffer chunk) {
    collected.appendBuffer(chunk);
    if (collected.length() > inlineLimit) {
      spill();
    }
  }

  /** Over the inline limit: what was collected goes first, then the rest as it arrives. */
  private void spill() {
    body.pause();
    body.handler(null);
    body.endHandler(null);
    body.exceptionHandler(null);
    body.unshift(collected, false);
    collected = null;
    String key = blobKey.get();
    blobs.put(key, body)
        .recover(err -> err instanceof BlobStoreException ? Future.failedFuture(err)
            : blobs.delete(key).transform(deleted -> Future.failedFuture(err)))
        .onComplete(put -> {
          if (put.failed()) {
            result.tryFail(put.cause());
          } else {
            result.tryComplete(new Stored(null, key, put.result(), stored.digest(),
                received.digest()));
          }
        });
    body.resume();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
