package dev.postern.delivery;

import dev.postern.queue.Claim;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Produces header lines to put in front of the stored MIME before it is relayed — the
 * DKIM-Signature (SPEC §6). Runs before each attempt; CPU work belongs on a worker, not here.
 */
public interface MessageSigner {

  /**
   * @param mime the stored message: {@link StoredMime#inline()} or {@link StoredMime#open()}
   * @return complete header lines, each ending in CRLF, or an empty buffer
   */
  Future<Buffer> headerFor(Claim claim, StoredMime mime);

  MessageSigner NONE = (claim, mime) -> Future.succeededFuture(Buffer.buffer());
}
