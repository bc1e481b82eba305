package dev.postern.queue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Everything one attempt writes, in one statement: recipient rows, event rows, the message's
 * derived status, and either the end of its queue row ({@code retryIn} null) or the next try.
 */
public record Settlement(UUID messageId, List<RecipientUpdate> recipients, List<Event> events,
    MessageStatus messageStatus, Duration retryIn, String lastError) {

  public record RecipientUpdate(String address, RecipientStatus status, String reply) {}

  /** One outbound_events row; recipient and relay may be null. */
  public record Event(String type, String recipient, String relay, String reply) {}

  public boolean finished() {
    return retryIn == null;
  }
}
