package dev.postern.inbound.inbox;

import java.time.Instant;
import java.util.List;

/**
 * One message whole (plaintext tier): its summary, the parsed header fields in order, bodies,
 * threading fields and attachments.
 *
 * @param headers every header field in order as {@code name → value}, decoded
 * @param sentAt the Date header, when it parsed
 * @param inReplyTo the first msg-id of In-Reply-To, without angle brackets
 * @param references the msg-ids of References, without angle brackets
 * @param threadPosition 1-based position by arrival within the thread, or null
 */
public record MessageDetail(MessageSummary summary, List<Header> headers, List<String> cc,
    Instant sentAt, String text, String html, String inReplyTo, List<String> references,
    Integer threadPosition, List<AttachmentInfo> attachments) {

  /** A header field as stored: its name as written and its unfolded, decoded value. */
  public record Header(String name, String value) {}
}
