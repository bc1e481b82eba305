package dev.postern.inbound.parse;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the filing pipeline keeps of one received message after parsing (plaintext tier). Every
 * string is already decoded: RFC 2047 encoded words, RFC 2231 parameters, and body charsets are
 * turned into Java strings (UTF-16 in memory, UTF-8 in the store).
 *
 * @param messageId the Message-ID without angle brackets (RFC 5322 §3.6.4)
 * @param inReplyTo the first msg-id of In-Reply-To, without angle brackets
 * @param references the msg-ids of References in order, without angle brackets
 * @param subject the decoded Subject, {@code ""} when absent
 * @param date the Date header when it parses
 * @param headers every header field in order, values unfolded and decoded
 * @param text the first text/plain body (alternatives understood), decoded
 * @param html the first text/html body, decoded
 * @param attachments every other leaf part, in order
 * @param failed parsing stopped early (a cap was hit or the syntax defeated the parser): the
 *     message is filed anyway, raw, flagged, with what was read before the failure
 * @param problems what went wrong, for the log and the flag; empty when nothing did
 */
public record ParsedMail(
    Optional<String> messageId,
    Optional<String> inReplyTo,
    List<String> references,
    Optional<MailAddress> from,
    List<MailAddress> to,
    List<MailAddress> cc,
    List<MailAddress> replyTo,
    String subject,
    Optional<Instant> date,
    List<HeaderField> headers,
    Optional<String> text,
    Optional<String> html,
    List<ParsedAttachment> attachments,
    boolean failed,
    List<String> problems) {

  /** A mailbox of an address header: the decoded display name (may be null) and the address. */
  public record MailAddress(String name, String address) {}

  /** One header field: its name as written and its unfolded, decoded value. */
  public record HeaderField(String name, String value) {}
}
