package dev.postern.send;

import dev.postern.mail.EmailAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated send body (SPEC §3 "Send body"), built only by {@link SendRequestParser}. Every
 * string in it is safe to put in a header as {@link MimeComposer} writes it; lists are immutable.
 *
 * @param inReplyTo   a message id in angle brackets, e.g. {@code <abc@example.com>}
 * @param scheduledAt empty means "send now"
 */
public record SendRequest(
    EmailAddress from,
    List<EmailAddress> to,
    List<EmailAddress> cc,
    List<EmailAddress> bcc,
    List<EmailAddress> replyTo,
    String subject,
    Optional<String> text,
    Optional<String> html,
    List<Header> headers,
    List<Attachment> attachments,
    List<Tag> tags,
    Optional<String> inReplyTo,
    Optional<Instant> scheduledAt) {

  public SendRequest {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(subject, "subject");
    to = List.copyOf(to);
    cc = List.copyOf(cc);
    bcc = List.copyOf(bcc);
    replyTo = List.copyOf(replyTo);
    headers = List.copyOf(headers);
    attachments = List.copyOf(attachments);
    tags = List.copyOf(tags);
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(html, "html");
    Objects.requireNonNull(inReplyTo, "inReplyTo");
    Objects.requireNonNull(scheduledAt, "scheduledAt");
  }

  /** A custom header; the name is an RFC 5322 §3.6.8 field name, not a structural one. */
  public record Header(String name, String value) {}

  /**
   * An attachment whose content is validated base64 (RFC 4648 §4), with whitespace removed and
   * padding normalised, so it can be re-wrapped at 76 chars per line without decoding.
   *
   * @param decodedSize the attachment's size in bytes once decoded
   */
  public record Attachment(String filename, String contentType, String base64, long decodedSize) {}

  /** A Resend tag: name and value of ASCII letters, digits, {@code _} and {@code -}. */
  public record Tag(String name, String value) {}

  /**
   * Every envelope recipient (RFC 5321 RCPT TO): to, then cc, then bcc, as ASCII addresses,
   * without duplicates (compared case-insensitively; the first spelling wins). Bcc recipients
   * appear only here, never in a header.
   */
  public List<String> envelopeRecipients() {
    return uniqueAddresses(to, cc, bcc);
  }

  /** The envelope sender (RFC 5321 MAIL FROM). */
  public String envelopeSender() {
    return from.address();
  }

  @SafeVarargs
  static List<String> uniqueAddresses(List<EmailAddress>... lists) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (List<EmailAddress> list : lists) {
      for (EmailAddress address : list) {
        if (seen.add(address.address().toLowerCase(Locale.ROOT))) {
          out.add(address.address());
        }
      }
    }
    return List.copyOf(out);
  }
}
