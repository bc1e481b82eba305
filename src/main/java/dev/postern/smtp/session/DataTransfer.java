package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.smtp.SmtpReplies;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DATA phase: the bytes between 354 and the final dot, streamed into the sink.
 *
 * <p>SIZE is enforced here (RFC 1870 §6): past {@code maxMessageBytes} the stream fails with
 * {@link Reason#TOO_LARGE} (the sink commits nothing), the rest is discarded, and 552 5.3.4 is
 * answered after the dot. A sink that fails early (quota, sender) leaves the rest discarded too:
 * the client may only be answered after the dot (RFC 5321 §4.1.1.4).
 */
final class DataTransfer {

  private static final Logger log = LoggerFactory.getLogger(DataTransfer.class);

  /** How the transaction ended: the reply, and the committed message if it was accepted. */
  record Outcome(SmtpResponse reply, Optional<Queued> queued) {}

  private final DataPipe pipe;
  private final long maxMessageBytes;
  private final Future<Queued> committed;
  private long received;
  /** Set when the message is refused whatever the sink says: the reply after the dot. */
  private SmtpResponse doomed;
  private Runnable pausedReader;

  DataTransfer(MessageSink sink, AuthenticatedKey key, Envelope envelope, SinkOptions options,
      SessionLimits limits) {
    this.pipe = new DataPipe(limits.maxBufferedBytes());
    this.maxMessageBytes = limits.maxMessageBytes();
    Future<Queued> submitted;
    try {
      submitted = sink.submit(key, envelope, pipe, options);
    } catch (RuntimeException e) {
      submitted = Future.failedFuture(e);
    }
    this.committed = submitted;
    // A sink that stopped reading must not leave the socket paused.
    committed.onFailure(failure -> releaseReader());
  }

  /** A chunk of un-dot-stuffed data; false asks the glue to pause reading. */
  boolean write(Buffer chunk) {
    received += chunk.length();
    if (doomed != null || committed.isComplete()) {
      return true;
    }
    if (received > maxMessageBytes) {
      doom(SmtpReplies.tooLarge(), Refusal.of(Reason.TOO_LARGE,
          "the message is over " + maxMessageBytes + " bytes"));
      return true;
    }
    return pipe.write(chunk);
  }

  /** Runs {@code resume} once the sink has taken enough of the queue (at once if not paused). */
  void onDrain(Runnable resume) {
    if (doomed != null || committed.isComplete()) {
      resume.run();
      return;
    }
    pausedReader = resume;
    pipe.drainHandler(this::releaseReader);
  }

  /** Refuses the message with {@code reply} after the dot; the sink sees {@code cause}. */
  void doom(SmtpResponse reply, Throwable cause) {
    if (doomed == null) {
      doomed = reply;
      pipe.fail(cause);
      releaseReader();
    }
  }

  /** The connection is gone: fail the stream so nothing commits. */
  void abort() {
    pipe.fail(Refusal.of(Reason.INVALID, "the connection closed before the end of the data"));
  }

  /** The final dot arrived: the reply once the sink has committed or failed. */
  Future<Outcome> finish() {
    if (doomed == null) {
      pipe.end();
    }
    SmtpResponse refusal = doomed;
    return committed.transform(result -> {
      if (result.succeeded()) {
        if (refusal != null) {
          // The sink committed a stream we failed: a sink bug. The truth is that it is queued.
          log.error("message sink committed {} after its data stream failed", result.result().id());
        }
        Queued queued = result.result();
        return Future.succeededFuture(new Outcome(SmtpReplies.queued(queued.id()), Optional.of(queued)));
      }
      SmtpResponse reply = refusal != null ? refusal : SmtpReplies.ofFailure(result.cause());
      return Future.succeededFuture(new Outcome(reply, Optional.empty()));
    });
  }

  long received() {
    return received;
  }

  private void releaseReader() {
    Runnable resume = pausedReader;
    if (resume != null) {
      pausedReader = null;
      resume.run();
    }
  }
}
