package dev.postern.smtp.session;

import dev.postern.audit.ActorType;
import dev.postern.audit.AuditEntry;
import dev.postern.audit.AuditLog;
import dev.postern.auth.AuthenticatedKey;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;

/**
 * {@link SessionAudit} on the batched {@link AuditLog} REST uses (http/RequestAudit): the same
 * rows, with {@code action "SMTP <stage>"}, {@code method "SMTP"}, the reply code as status and
 * {@code details.source = "smtp"}. The actor comes from the message's X-Postern-Actor header.
 */
public final class AuditLogSessionAudit implements SessionAudit {

  private final AuditLog audit;
  private final Clock clock;

  public AuditLogSessionAudit(AuditLog audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void message(AuthenticatedKey key, InetSocketAddress client, String stage,
      SmtpResponse reply, Optional<Queued> queued) {
    JsonObject details = new JsonObject().put("source", "smtp");
    if (!reply.details().isEmpty()) {
      // The enhanced status code only: the rest of the text may carry a core message.
      String first = reply.details().get(0).toString();
      int space = first.indexOf(' ');
      details.put("enhanced_status", space > 0 ? first.substring(0, space) : first);
    }
    queued.ifPresent(q -> details.put("email_id", q.id().toString()).put("replayed", q.replayed()));
    String remote = client.getAddress() == null ? client.getHostString()
        : client.getAddress().getHostAddress();
    audit.record(new AuditEntry(clock.instant(), ActorType.API_KEY, key.id(), "SMTP " + stage,
        "SMTP", stage, reply.code(), remote, queued.flatMap(Queued::actor).orElse(null), details));
  }
}
