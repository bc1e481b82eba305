package dev.postern.delivery;

import dev.postern.delivery.dkim.DkimKey;
import dev.postern.delivery.dkim.DkimKeys;
import dev.postern.delivery.dkim.DkimSigner;
import dev.postern.queue.Claim;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs outbound mail with its sender domain's DKIM key (SPEC §6) before each attempt. Inline
 * MIME is signed in one piece; blob-stored MIME is streamed once through the body hash, so a large
 * message is never held whole. A domain without a usable key is sent unsigned (logged): an
 * unsigned message is better than one never delivered.
 *
 * <p>Threads: every byte of canonicalisation and hashing and the private-key operation run on
 * the {@code signing} pool, never on the delivery verticle's event loop. Measured
 * ({@code DkimSigningCost}, bench/README.md): an RSA-2048 signature is about 1.7 ms of CPU and
 * the relaxed body hash about 4 µs per KB, so a 200 KB blob hashed on the event loop would hold
 * it for most of a millisecond. The event loop only moves buffers between the blob stream and
 * the pool.
 */
public final class DkimMessageSigner implements MessageSigner {

  private static final Logger log = LoggerFactory.getLogger(DkimMessageSigner.class);

  private final DkimKeys keys;
  private final DkimSigner signer;
  private final WorkerExecutor signing;

  /** @param signing the pool signatures run on (the gateway's {@code postern-dkim} pool) */
  public DkimMessageSigner(DkimKeys keys, DkimSigner signer, WorkerExecutor signing) {
    this.keys = keys;
    this.signer = signer;
    this.signing = signing;
  }

  @Override
  public Future<Buffer> headerFor(Claim claim, StoredMime mime) {
    String from = claim.envelopeFrom();
    String domain = from.substring(from.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    return keys.forDomain(domain)
        .compose(key -> key.isEmpty() ? Future.succeededFuture(Buffer.buffer()) : sign(key.get(), mime))
        .recover(e -> {
          log.warn("message {} goes unsigned: DKIM signing for {} failed ({})", claim.messageId(),
              domain, e.getClass().getSimpleName());
          return Future.succeededFuture(Buffer.buffer());
        });
  }

  private Future<Buffer> sign(DkimKey key, StoredMime mime) {
    Buffer inline = mime.inline();
    if (inline != null) {
      return signing.executeBlocking(() -> signer.signatureHeader(inline, key), false);
    }
    DkimSigner.Session session = signer.session(key);
    return mime.open().compose(stream -> new BodyFeed(stream, session).done())
        .compose(v -> session.signatureHeader(signing));
  }

  /**
   * Feeds a blob stream into a session on the signing pool, one chunk at a time: the stream is
   * paused while its chunk is hashed, so at most one chunk is in hand and the chunks reach the
   * (not thread-safe) session in order, one task after the other.
   */
  private final class BodyFeed {
    private final ReadStream<Buffer> stream;
    private final DkimSigner.Session session;
    private final Promise<Void> done = Promise.promise();
    private Future<Void> hashing = Future.succeededFuture();

    BodyFeed(ReadStream<Buffer> stream, DkimSigner.Session session) {
      this.stream = stream;
      this.session = session;
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(v -> hashing.onComplete(ar -> {
        if (ar.succeeded()) {
          done.tryComplete();
        } else {
          done.tryFail(ar.cause());
        }
      }));
      stream.handler(this::chunk);
    }

    Future<Void> done() {
      return done.future();
    }

    private void chunk(Buffer chunk) {
      stream.pause();
      hashing = signing.<Void>executeBlocking(() -> {
        session.update(chunk);
        return null;
      }, true).onComplete(ar -> {
        if (ar.succeeded()) {
          stream.resume();
        } else {
          stream.handler(null); // releases the blob store's file or connection (BlobStore.open)
          done.tryFail(ar.cause());
        }
      });
    }
  }

}
