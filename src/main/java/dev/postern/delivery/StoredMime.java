package dev.postern.delivery;

import dev.postern.blob.BlobStore;
import dev.postern.delivery.smtp.DataContent;
import dev.postern.queue.Claim;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A claimed message's MIME, inline or in the blob store, with optional header lines first. */
public final class StoredMime implements DataContent {

  private final Claim claim;
  private final BlobStore blobs;
  private final Buffer head;

  public StoredMime(Claim claim, BlobStore blobs) {
    this(claim, blobs, Buffer.buffer());
  }

  private StoredMime(Claim claim, BlobStore blobs, Buffer head) {
    this.claim = claim;
    this.blobs = blobs;
    this.head = head;
  }

  public StoredMime withHead(Buffer header) {
    return new StoredMime(claim, blobs, header);
  }

  @Override
  public Buffer head() {
    return head;
  }

  @Override
  public long size() {
    return head.length() + claim.mimeSize();
  }

  @Override
  public Buffer inline() {
    return claim.mimeInline();
  }

  /** Streams the blob (never buffered whole); for inline MIME, fails: use {@link #inline()}. */
  @Override
  public Future<ReadStream<Buffer>> open() {
    if (claim.blobKey() == null) {
      return Future.failedFuture(new IllegalStateException("MIME is inline"));
    }
    return blobs.open(claim.blobKey());
  }
}
