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
 */
public record Claim(UUID messageId, int attempts, Instant firstQueuedAt, String mode,
    String envelopeFrom, String messageIdHeader, UUID domainId, Buffer mimeInline, String blobKey,
    long mimeSize, List<String> addresses, List<RecipientStatus> statuses) {

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
