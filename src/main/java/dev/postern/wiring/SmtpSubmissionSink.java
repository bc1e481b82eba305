package dev.postern.wiring;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.send.SmtpEnvelope;
import dev.postern.send.StreamOptions;
import dev.postern.send.SubmissionService;
import dev.postern.smtp.session.Envelope;
import dev.postern.smtp.session.MessageSink;
import dev.postern.smtp.session.Queued;
import dev.postern.smtp.session.SinkOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * The SMTP session's sink over the core's one accept path: a DATA stream enters
 * {@link SubmissionService#acceptStreamed} exactly as a REST body enters {@code accept}.
 */
final class SmtpSubmissionSink implements MessageSink {

  private final SubmissionService submissions;

  SmtpSubmissionSink(SubmissionService submissions) {
    this.submissions = submissions;
  }

  @Override
  public Future<Queued> submit(AuthenticatedKey key, Envelope envelope, ReadStream<Buffer> data,
      SinkOptions options) {
    return submissions.acceptStreamed(key, new SmtpEnvelope(envelope.mailFrom(), envelope.recipients()),
            data, new StreamOptions(options.rewriteFromToMailbox()))
        .map(accepted -> new Queued(accepted.id(), accepted.replayed(), accepted.actor()));
  }
}
