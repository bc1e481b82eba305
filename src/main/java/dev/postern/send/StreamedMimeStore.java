package dev.postern.send;

import dev.postern.blob.BlobStore;
import dev.postern.blob.BlobStoreException;
import dev.postern.blob.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.util.function.Consumer;
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
 *
 * <p>Two users: the submission path ({@link #store}, a header block we rewrote and the body as
 * received) and the inbound MX ({@link #storeReceived}, our trace field and then every received
 * octet untouched).
 */
public final class StreamedMimeStore {

  /**
   * Exactly one of {@code inline} / {@code blobKey}.
   *
   * @param size octets stored
   * @param sha256 digest of what is stored
   * @param receivedSha256 digest of what was received (without the head we wrote)
   */
  public record Stored(Buffer inline, String blobKey, long size, byte[] sha256,
      byte[] receivedSha256) {}

  private final BlobStore blobs;
  private final long inlineLimit;
  private final Supplier<String> blobKey;
  private final ReceivedMessageStream body;
  private final MessageDigest stored = Sha256.fresh();
  private final MessageDigest received;
  private final Consumer<Buffer> observer;
  private final Promise<Stored> result = Promise.promise();
  private Buffer collected;

  private StreamedMimeStore(BlobStore blobs, long inlineLimit, Supplier<String> blobKey,
      Buffer head, ReceivedMessageStream body, MessageDigest received, Consumer<Buffer> observer) {
    this.blobs = blobs;
    this.inlineLimit = inlineLimit;
    this.blobKey = blobKey;
    this.body = body;
    this.received = received;
    this.observer = observer;
    this.collected = Buffer.buffer().appendBuffer(head);
    stored.update(head.getBytes());
  }

  /** Call on the stream's context. */
  static Future<Stored> store(BlobStore blobs, long inlineLimit, Supplier<String> blobKey,
      MimeSource.Streamed message) {
    StreamedMimeStore store = new StreamedMimeStore(blobs, inlineLimit, blobKey, message.head(),
        message.body(), message.receivedSha256(), chunk -> {});
    store.start();
    return store.result.future();
  }

  /**
   * Stores {@code head} followed by every octet of {@code data}, untouched, as they arrive
   * (inline up to {@code inlineLimit}, else under the key {@code blobKey} supplies). More than
   * {@code maxBytes} of data fails with {@link dev.postern.refusal.Reason#TOO_LARGE}; a failure
   * of {@code data} (the connection gone) fails the store; either way no blob is left and the
   * rest of {@code data} is read and dropped, so its producer may go on writing until its end.
   * {@code observer} sees each received chunk once, in order (the caller keeps what it needs of
   * the header block). Call on {@code data}'s context.
   */
  public static Future<Stored> storeReceived(BlobStore blobs, long inlineLimit,
      Supplier<String> blobKey, Buffer head, ReadStream<Buffer> data, long maxBytes,
      Consumer<Buffer> observer) {
    ReceivedMessageStream body = new ReceivedMessageStream(data, maxBytes);
    StreamedMimeStore store = new StreamedMimeStore(blobs, inlineLimit, blobKey, head, body,
        Sha256.fresh(), observer);
    store.start();
    return store.result.future().onFailure(e -> body.discard());
  }

  private void start() {
    body.tap(chunk -> {
      byte[] bytes = chunk.getBytes();
      received.update(bytes);
      stored.update(bytes);
      observer.accept(chunk);
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
}
