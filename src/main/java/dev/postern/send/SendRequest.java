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
 * @param references  the ancestors' message ids before {@code inReplyTo}, oldest first, in angle
 *     brackets (a reply from the inbox API); empty otherwise
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
    List<String> references,
    Optional<Instant> scheduledAt) {

  /** The most ancestors a References field keeps (the oldest and the nearest, RFC 5322 §3.6.4). */
  public static final int MAX_REFERENCES = 20;

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
    references = List.copyOf(references);
    Objects.requireNonNull(scheduledAt, "scheduledAt");
  }

  /**
   * This request as a reply in a thread: {@code references} are the parent's own References
   * (oldest first); ids that are not valid message ids are dropped, and a long chain keeps its
   * first id and its nearest ones.
   */
  public SendRequest withReferences(List<String> parentReferences) {
    List<String> valid = new ArrayList<>();
    for (String id : parentReferences) {
      try {
        String checked = HeaderRules.messageId(id);
        if (!valid.contains(checked) && !inReplyTo.map(checked::equals).orElse(false)) {
          valid.add(checked);
        }
      } catch (RuntimeException e) {
        // not a message id: left out
      }
    }
    if (valid.size() > MAX_REFERENCES - 1) {
      List<String> kept = new ArrayList<>();
      kept.add(valid.get(0));
      kept.addAll(valid.subList(valid.size() - (MAX_REFERENCES - 2), valid.size()));
      valid = kept;
    }
    return new SendRequest(from, to, cc, bcc, replyTo, subject, text, html, headers, attachments,
        tags, inReplyTo, valid, scheduledAt);
  }

  /** A custom header; the name is an RFC 5322 §3.6.8 field name, not a structural one. */
  public record Header(String name, String value) {}

  /**
   * An attachment whose content is validated base64 (RFC 4648 §4), with whitespace removed and
   * padding normalised, so it can be re-wrapped at 76 chars per line without decoding.
   *
   * @param decodedSize the attachment's size in bytes once decoded
   */
  public record Attachment(String filename, String contentType, AsciiText base64, long decodedSize) {}

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
