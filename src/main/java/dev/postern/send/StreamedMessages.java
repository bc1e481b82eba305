package dev.postern.send;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.blob.Sha256;
import dev.postern.mail.EmailAddress;
import dev.postern.mail.InvalidValue;
import dev.postern.mail.UnsafeText;
import dev.postern.refusal.Refusal;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A streamed message's {@link Submission}, from the SMTP envelope and the message's header block,
 * and the header block as it is stored:
 * <ul>
 *   <li>{@code Bcc} removed: the envelope decides who receives the message (RFC 5322 §3.6.3
 *       lets the submitter drop it; a Bcc header on the wire would disclose the blind copies).</li>
 *   <li>{@code X-Postern-Actor} removed: it names the caller's user for our audit trail and is
 *       reported to the edge, not sent to the recipients.</li>
 *   <li>{@code Message-ID} and {@code Date} added when missing (RFC 5322 §3.6.4 SHOULD, §3.6.1
 *       MUST; RFC 6409 §8.2–8.3 lets a submission server add them).</li>
 *   <li>With {@link StreamOptions#rewriteFromToMailbox} and a mailbox-bound key: From replaced by
 *       the key's mailbox, the original From kept in an added Reply-To when there is none.</li>
 * </ul>
 * Every other field is written back octet for octet, in order. Values we write are addresses,
 * a validated msg-id and a date: none can hold CR or LF, so nothing we write starts a header.
 */
final class StreamedMessages {

  static final String ACTOR_HEADER = "X-Postern-Actor";
  private static final int MAX_ACTOR = 256;
  private static final Buffer CRLF = Buffer.buffer("\r\n");

  /** The submission, and the actor named by the message (for the audit row). */
  record Parsed(Submission submission, Optional<String> actor) {}

  private StreamedMessages() {}

  /**
   * @param block the header block as received
   * @param body the rest of the message, from the empty line on, paused
   * @param receivedSha256 digest of the received octets so far (the block), continued over the body
   */
  static Parsed parse(AuthenticatedKey key, SmtpEnvelope envelope, StreamOptions options,
      HeaderBlock block, ReceivedMessageStream body, MessageDigest receivedSha256, Clock clock) {
    if (envelope.recipients().isEmpty()) {
      throw Refusal.invalid("envelope", "at least one recipient (RCPT TO) is required");
    }
    boolean rewrite = options.rewriteFromToMailbox() && key.mailboxBound();
    Optional<EmailAddress> written = singleFrom(block, !rewrite);
    EmailAddress from = rewrite ? EmailAddress.parseBare(key.mailboxAddress()) : written.orElseThrow();
    Optional<String> senderMessageId = messageId(block);
    MessageStamp stamp = MessageStamp.create(clock, from);
    String messageId = senderMessageId.orElse(stamp.messageId());

    List<AddressLists.Item> to = items(block, "To");
    List<AddressLists.Item> cc = items(block, "Cc");
    List<AddressLists.Item> replyTo = items(block, "Reply-To");
    Buffer head = Buffer.buffer(block.raw().length() + 512);
    boolean fromWritten = false;
    for (HeaderBlock.Field field : block.fields()) {
      if (field.is("Bcc") || field.is(ACTOR_HEADER)) {
        continue;
      }
      if (rewrite && field.is("From")) {
        if (!fromWritten) {
          writeField(head, "From", from.address());
          fromWritten = true;
        }
        continue;
      }
      head.appendBuffer(block.rawOf(field));
    }
    if (rewrite && !fromWritten) {
      writeField(head, "From", from.address());
    }
    if (rewrite && replyTo.isEmpty() && written.isPresent()) {
      // A display name may be up to 256 characters of UTF-8: too long for one line, drop it.
      String original = octets("Reply-To: " + written.get()) <= HeaderBlock.MAX_LINE
          ? written.get().toString() : written.get().address();
      writeField(head, "Reply-To", original);
      replyTo = List.of(new AddressLists.Item(original, written));
    }
    if (senderMessageId.isEmpty()) {
      writeField(head, "Message-ID", stamp.messageId());
    }
    if (block.all("Date").isEmpty()) {
      writeField(head, "Date", stamp.formattedDate());
    }

    List<OutboundMessage.Recipient> recipients = recipients(envelope, to, cc);
    Submission.HeaderSummary summary = new Submission.HeaderSummary(
        rewrite ? from.address() : from.toString(), shown(to), shown(cc),
        recipients.stream().filter(r -> r.kind().equals("bcc")).map(OutboundMessage.Recipient::address)
            .toList(),
        shown(replyTo), block.first("Subject").orElse(""), List.of(), block.first("In-Reply-To"),
        block.first("References").map(v -> List.of(v.strip().split("\\s+"))).orElse(List.of()));
    Submission submission = new Submission(from, envelope.mailFrom(), recipients, summary,
        Optional.empty(), new MimeSource.Streamed(head, body, receivedSha256, messageId,
            senderMessageId.isPresent()));
    return new Parsed(submission, actor(block));
  }

  /**
   * The idempotency record of a streamed message: its key holds the Message-ID and the digest of
   * the received octets (so other octets under the same Message-ID are a new message, never a
   * conflict), hashed to stay within the record's 256 characters.
   */
  static SubmissionService.Idempotency resendKey(String messageId, byte[] receivedSha256) {
    HexFormat hex = HexFormat.of();
    byte[] id = Sha256.fresh().digest(messageId.getBytes(StandardCharsets.UTF_8));
    String key = "smtp:" + hex.formatHex(id) + ":" + hex.formatHex(receivedSha256);
    return new SubmissionService.Idempotency(key, receivedSha256);
  }

  /** The one mailbox of the one From field (RFC 5322 §3.6.2); required unless From is rewritten. */
  private static Optional<EmailAddress> singleFrom(HeaderBlock block, boolean required) {
    List<HeaderBlock.Field> fields = block.all("From");
    List<AddressLists.Item> items = fields.size() == 1 ? AddressLists.items(fields.get(0).value())
        : List.of();
    if (items.size() == 1 && items.get(0).mailbox().isPresent()) {
      return items.get(0).mailbox();
    }
    if (!required) {
      return Optional.empty();
    }
    throw Refusal.invalid("header.From", fields.isEmpty() ? "a From header is required"
        : "From must be exactly one field holding exactly one mailbox (RFC 5322 §3.6.2) that is"
            + " a plain address or Name <address>");
  }

  /** The sender's Message-ID, if it sent one (at most one, RFC 5322 §3.6). */
  private static Optional<String> messageId(HeaderBlock block) {
    List<HeaderBlock.Field> fields = block.all("Message-ID");
    if (fields.size() > 1) {
      throw Refusal.invalid("header.Message-ID", "at most one Message-ID field (RFC 5322 §3.6)");
    }
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HeaderRules.messageId(fields.get(0).value()));
    } catch (InvalidValue e) {
      throw Refusal.invalid("header.Message-ID", e.getMessage() + " (RFC 5322 §3.6.4)");
    }
  }

  private static Optional<String> actor(HeaderBlock block) {
    return block.first(ACTOR_HEADER)
        .filter(v -> !v.isEmpty() && v.length() <= MAX_ACTOR && UnsafeText.inHeader(v).isEmpty());
  }

  private static List<AddressLists.Item> items(HeaderBlock block, String name) {
    List<AddressLists.Item> items = new ArrayList<>();
    block.all(name).forEach(f -> items.addAll(AddressLists.items(f.value())));
    return items;
  }

  private static List<String> shown(List<AddressLists.Item> items) {
    return items.stream().map(AddressLists.Item::shown).toList();
  }

  /**
   * The envelope recipients, deduplicated case-insensitively, each with the header it appears in
   * ("to", else "cc"); one in neither is a blind copy ("bcc").
   */
  private static List<OutboundMessage.Recipient> recipients(SmtpEnvelope envelope,
      List<AddressLists.Item> to, List<AddressLists.Item> cc) {
    Set<String> inTo = lowerAddresses(to);
    Set<String> inCc = lowerAddresses(cc);
    Set<String> seen = new HashSet<>();
    List<OutboundMessage.Recipient> out = new ArrayList<>();
    for (String address : envelope.recipients()) {
      String lower = address.toLowerCase(Locale.ROOT);
      if (seen.add(lower)) {
        out.add(new OutboundMessage.Recipient(address,
            inTo.contains(lower) ? "to" : inCc.contains(lower) ? "cc" : "bcc"));
      }
    }
    return out;
  }

  private static Set<String> lowerAddresses(List<AddressLists.Item> items) {
    Set<String> out = new HashSet<>();
    items.forEach(i -> i.mailbox().ifPresent(m -> out.add(m.address().toLowerCase(Locale.ROOT))));
    return out;
  }

  /** Appends {@code Name: value CRLF}; a value that could break the line is a bug, never written. */
  private static void writeField(Buffer head, String name, String value) {
    if (UnsafeText.inHeader(value).isPresent()
        || octets(name + ": " + value) > HeaderBlock.MAX_LINE) {
      throw new IllegalStateException("refusing to write an unsafe " + name + " header");
    }
    head.appendString(name + ": " + value, StandardCharsets.UTF_8.name()).appendBuffer(CRLF);
  }

  private static int octets(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
