package dev.postern.send;

import dev.postern.queue.MessageStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One accepted message as it is committed: the rows of outbound_messages, its recipients, its
 * first event and (live mail only) its queue row. Exactly one of {@code mimeInline} / {@code blobKey}.
 * {@code local}: what is delivered locally at accept ({@link LocalPlan#NONE} when nothing);
 * {@code status} and {@code enqueue} already account for it (a message with no recipient left
 * for the relays has no queue row).
 */
public record OutboundMessage(
    UUID id, UUID apiKeyId, UUID domainId, UUID mailboxId, String mode, String source,
    String messageIdHeader, String envelopeFrom, String fromHeader,
    List<String> to, List<String> cc, List<String> bcc, List<String> replyTo,
    String subject, JsonArray tags, String inReplyTo, MessageStatus status,
    Buffer mimeInline, String blobKey, long mimeSize, byte[] mimeSha256, Instant scheduledAt,
    List<Recipient> recipients, boolean enqueue, Instant dueAt, LocalPlan local) {

  /** An envelope recipient and the header it came from (to, cc or bcc). */
  public record Recipient(String address, String kind) {}

  public OutboundMessage {
    java.util.Objects.requireNonNull(local, "local");
  }

  @Override
  public String toString() {
    return "OutboundMessage[" + id + " " + status + "]";
  }
}
