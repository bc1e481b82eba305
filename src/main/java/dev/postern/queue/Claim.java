package dev.postern.queue;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A queue row this node holds a lease on, with what delivery needs of its message.
 *
 * @param attempts attempts made before this one
 * @param mimeInline the MIME when stored inline, else null and {@code blobKey} names it
 * @param addresses every envelope recipient of the message, with {@code statuses} alongside
 * @param scheduled the message was accepted for later ({@code scheduled_at}): its recipients were
 *     not routed at accept, so hosted mailboxes among them are filed when it is claimed
 * @param fromHeader the stored From header (the sender's copy rule of local delivery), or null
 */
public record Claim(UUID messageId, int attempts, Instant firstQueuedAt, String mode,
    String envelopeFrom, String messageIdHeader, UUID domainId, Buffer mimeInline, String blobKey,
    long mimeSize, List<String> addresses, List<RecipientStatus> statuses, boolean scheduled,
    String fromHeader) {

  /** A claim of mail that was not scheduled (live at accept). */
  public Claim(UUID messageId, int attempts, Instant firstQueuedAt, String mode,
      String envelopeFrom, String messageIdHeader, UUID domainId, Buffer mimeInline,
      String blobKey, long mimeSize, List<String> addresses, List<RecipientStatus> statuses) {
    this(messageId, attempts, firstQueuedAt, mode, envelopeFrom, messageIdHeader, domainId,
        mimeInline, blobKey, mimeSize, addresses, statuses, false, null);
  }

  public boolean sandbox() {
    return "test".equals(mode);
  }

  public List<String> pendingRecipients() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < addresses.size(); i++) {
      if (statuses.get(i).pending()) {
        out.add(addresses.get(i));
      }
    }
    return out;
  }
}
