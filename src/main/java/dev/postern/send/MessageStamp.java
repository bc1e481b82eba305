package dev.postern.send;

import dev.postern.mail.EmailAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The values the server chooses for a message: its Message-ID and Date. Kept apart from the
 * composer so that composing the same request with the same stamp gives the same headers (an
 * idempotent retry can re-compose identically).
 *
 * @param messageId RFC 5322 §3.6.4 msg-id with angle brackets, e.g. {@code <uuid@example.com>}
 */
public record MessageStamp(String messageId, Instant date) {

  /** RFC 5322 §3.3 date-time, always in UTC as {@code +0000}. */
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

  public MessageStamp {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(date, "date");
    HeaderRules.messageId(messageId);
  }

  /** A fresh stamp: {@code <random-uuid@sender-domain>} and the clock's now (to the second). */
  public static MessageStamp create(Clock clock, EmailAddress from) {
    return new MessageStamp("<" + UUID.randomUUID() + "@" + from.domain() + ">",
        clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }

  /** The Date header value, e.g. {@code Sun, 22 Nov 2026 10:00:00 +0000}. */
  public String formattedDate() {
    return DATE.format(date);
  }
}
