package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Where a message goes: the core's streamed submission (SubEthaSMTP's {@code MessageHandler}
 * role). Implemented over {@code send} by the composition root.
 *
 * <p>The sink reads {@code data} (the un-dot-stuffed message, header block first), applies the
 * REST rules (From inside the key's binding, Message-ID and Date added, Bcc removed, replay of a
 * re-sent message), charges the quota and commits. Its future completes only after the durable
 * commit, or fails with a {@code refusal.Refusal}. It may fail before the data ends (quota, a
 * sender refused from the header block); when {@code data} fails (message too large, connection
 * closed) the sink must fail and commit nothing.
 */
public interface MessageSink {
  Future<Queued> submit(AuthenticatedKey key, Envelope envelope, ReadStream<Buffer> data,
      SinkOptions options);
}
