package dev.postern.delivery;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told about each delivery event after it is committed, e.g. to queue webhooks. Called on a
 * delivery event loop: implementations must not block. Types: {@code email.sent} (recipient
 * null), {@code email.delivered}, {@code email.deferred}, {@code email.bounced},
 * {@code email.failed} (retry horizon passed).
 */
public interface DeliveryListener {

  void onEvent(String type, UUID messageId, String recipient, String reply);

  /** Until webhooks are wired: a DEBUG log line per event. */
  DeliveryListener LOGGING = new DeliveryListener() {
    private final Logger log = LoggerFactory.getLogger(DeliveryListener.class);

    @Override
    public void onEvent(String type, UUID messageId, String recipient, String reply) {
      log.debug("{} message={} recipient={}", type, messageId, recipient);
    }
  };
}
