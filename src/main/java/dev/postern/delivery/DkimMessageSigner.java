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
 * message is never held whole. RSA signing runs on the CPU worker. A domain without a usable key
 * is sent unsigned (logged): an unsigned message is better than one never delivered.
 */
public final class DkimMessageSigner implements MessageSigner {

  private static final Logger log = LoggerFactory.getLogger(DkimMessageSigner.class);

  private final DkimKeys keys;
  private final DkimSigner signer;
  private final WorkerExecutor cpu;

  public DkimMessageSigner(DkimKeys keys, DkimSigner signer, WorkerExecutor cpu) {
    this.keys = keys;
    this.signer = signer;
    this.cpu = cpu;
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
      return cpu.executeBlocking(() -> signer.signatureHeader(inline, key), false);
    }
    DkimSigner.Session session = signer.session(key);
    return mime.open().compose(stream -> drain(stream, session)).compose(v -> session.signatureHeader(cpu));
  }

  private static Future<Void> drain(ReadStream<Buffer> stream, DkimSigner.Session session) {
    Promise<Void> done = Promise.promise();
    stream.exceptionHandler(done::tryFail);
    stream.endHandler(v -> done.tryComplete());
    stream.handler(session::update);
    return done.future();
  }

}
