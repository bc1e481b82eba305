package dev.postern.send;

import dev.postern.mail.EmailAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message as any edge hands it to the core: the envelope, a summary of its headers (what the
 * store lists and the API shows), and where its MIME comes from. REST builds it from a JSON body
 * ({@link #composed}); the SMTP edge from MAIL FROM, RCPT TO, the parsed header block and its
 * DATA stream ({@link MimeSource.Streamed}).
 *
 * @param from the RFC 5322 From address, which sender policy checks against the key's binding
 * @param envelopeSender RFC 5321 MAIL FROM
 * @param recipients envelope recipients (RCPT TO), each with the header it came from
 */
public record Submission(EmailAddress from, String envelopeSender,
    List<OutboundMessage.Recipient> recipients, HeaderSummary headers,
    Optional<Instant> scheduledAt, MimeSource mime) {

  /**
   * The header facts kept beside the MIME, as they appear in the message.
   *
   * @param references the msg-ids of References (RFC 5322 §3.6.4), oldest first: what local
   *     delivery threads a standard-tier copy by (its clear facts)
   */
  public record HeaderSummary(String from, List<String> to, List<String> cc, List<String> bcc,
      List<String> replyTo, String subject, List<SendRequest.Tag> tags, Optional<String> inReplyTo,
      List<String> references) {
    public HeaderSummary {
      references = List.copyOf(references);
    }
  }

  public Submission {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(envelopeSender, "envelopeSender");
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(scheduledAt, "scheduledAt");
    Objects.requireNonNull(mime, "mime");
  }

  /** A message the core composes from a REST body. */
  public static Submission composed(SendRequest request) {
    return new Submission(request.from(), request.envelopeSender(), recipientsOf(request),
        new HeaderSummary(request.from().toString(), addresses(request.to()), addresses(request.cc()),
            addresses(request.bcc()), addresses(request.replyTo()), request.subject(), request.tags(),
            request.inReplyTo(), request.references()),
        request.scheduledAt(), new MimeSource.Composed(request));
  }

  /** Envelope recipients, deduplicated case-insensitively, each with the header it came from. */
  static List<OutboundMessage.Recipient> recipientsOf(SendRequest request) {
    java.util.List<OutboundMessage.Recipient> out = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    addAll(out, seen, request.to(), "to");
    addAll(out, seen, request.cc(), "cc");
    addAll(out, seen, request.bcc(), "bcc");
    return out;
  }

  private static void addAll(List<OutboundMessage.Recipient> out, java.util.Set<String> seen,
      List<EmailAddress> addresses, String kind) {
    for (EmailAddress a : addresses) {
      if (seen.add(a.address().toLowerCase(java.util.Locale.ROOT))) {
        out.add(new OutboundMessage.Recipient(a.address(), kind));
      }
    }
  }

  private static List<String> addresses(List<EmailAddress> list) {
    return list.stream().map(EmailAddress::toString).toList();
  }
}
