package dev.postern.wiring;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.inbound.accept.InboundAcceptor;
import dev.postern.inbound.accept.InboundEnvelope;
import dev.postern.smtp.session.Envelope;
import dev.postern.smtp.session.MessageSink;
import dev.postern.smtp.session.Queued;
import dev.postern.smtp.session.SinkOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.Optional;

/**
 * The MX session's sink: a DATA stream enters {@link InboundAcceptor#accept}, whose commit is the
 * only acknowledgement point ({@code 250 … queued as <raw id>}). No key: the MX has no AUTH.
 */
final class SmtpMxSink implements MessageSink {

  private final InboundAcceptor acceptor;

  SmtpMxSink(InboundAcceptor acceptor) {
    this.acceptor = acceptor;
  }

  @Override
  public Future<Queued> submit(AuthenticatedKey key, Envelope envelope, ReadStream<Buffer> data,
      SinkOptions options) {
    InboundEnvelope inbound = new InboundEnvelope(envelope.mailFrom(), envelope.recipients(),
        options.client() == null ? null : options.client().getAddress(), options.helo(),
        options.esmtp(), options.tls());
    return acceptor.accept(inbound, data)
        .map(accepted -> new Queued(accepted.rawId(), accepted.duplicate(), Optional.empty()));
  }
}
