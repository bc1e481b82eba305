package dev.postern.inbound.parse;

import dev.postern.inbound.parse.ParsedMail.HeaderField;
import dev.postern.inbound.parse.ParsedMail.MailAddress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * The header facts a {@code standard}-tier message keeps in the clear ({@code inbound_raw.clear_facts},
 * what listing and threading need): {@code {message_id, in_reply_to, references[], from_name,
 * from_address, to[], cc[], date}}. Read from the top-level header block with the same rules as
 * the plaintext parse ({@link MailAssembler}: the first Message-ID / In-Reply-To / References /
 * From / Date, every To and Cc; msg-ids without angle brackets, display names RFC 2047-decoded),
 * so a thread joins encrypted and plaintext mail alike. The subject and every body stay in the
 * ciphertext. {@code date} is ISO-8601 (UTC) when the Date field parses; an absent fact is
 * absent from the object. The filing side reads it back in {@code inbound.filing.MessageContents}.
 */
public final class ClearFacts {

  private ClearFacts() {}

  /** @param fields the top-level header fields in order, values unfolded (not decoded) */
  public static JsonObject of(List<HeaderField> fields) {
    Optional<String> messageId = Optional.empty();
    Optional<String> inReplyTo = Optional.empty();
    List<String> references = List.of();
    Optional<MailAddress> from = Optional.empty();
    List<MailAddress> to = new ArrayList<>();
    List<MailAddress> cc = new ArrayList<>();
    String date = null;
    for (HeaderField field : fields) {
      String value = field.value();
      switch (field.name().toLowerCase(Locale.ROOT)) {
        case "message-id" -> messageId = messageId.or(() -> MessageIds.first(value));
        case "in-reply-to" -> inReplyTo = inReplyTo.or(() -> MessageIds.first(value));
        case "references" -> references = references.isEmpty() ? MessageIds.all(value) : references;
        case "from" -> from = from.or(() -> AddressLists.parse(value).stream().findFirst());
        case "to" -> to.addAll(AddressLists.parse(value));
        case "cc" -> cc.addAll(AddressLists.parse(value));
        case "date" -> date = date == null ? value : date;
        default -> { }
      }
    }
    JsonObject facts = new JsonObject();
    messageId.ifPresent(id -> facts.put("message_id", id));
    inReplyTo.ifPresent(id -> facts.put("in_reply_to", id));
    facts.put("references", new JsonArray(new ArrayList<>(references)));
    from.ifPresent(f -> {
      if (f.name() != null && !f.name().isBlank()) {
        facts.put("from_name", f.name());
      }
      facts.put("from_address", f.address());
    });
    facts.put("to", addresses(to));
    facts.put("cc", addresses(cc));
    MailDates.parse(date).ifPresent(d -> facts.put("date", d.toString()));
    return facts;
  }

  /**
   * The clear facts of a stored message (local delivery of mail claimed from the queue, issue
   * #13.8), from its top-level header block read by mime4j under {@link ParseLimits#DEFAULTS}
   * ({@link Mime4jMailParser#mimeConfig}); the body is never read, so {@code raw} may hold the
   * header block alone. Never throws for what the octets hold: a header mime4j gives up on
   * yields the facts of the fields read before. Blocking and CPU-bound: on a worker pool.
   */
  public static JsonObject ofMessage(InputStream raw) {
    List<HeaderField> fields = new ArrayList<>();
    try {
      MimeTokenStream tokens = new MimeTokenStream(Mime4jMailParser.mimeConfig(ParseLimits.DEFAULTS));
      tokens.setRecursionMode(RecursionMode.M_NO_RECURSE);
      tokens.parse(raw);
      for (EntityState state = tokens.getState(); state != EntityState.T_END_OF_STREAM
          && state != EntityState.T_END_HEADER; state = tokens.next()) {
        if (state == EntityState.T_FIELD && fields.size() < ParseLimits.DEFAULT_MAX_HEADER_FIELDS) {
          byte[] octets = tokens.getField().getRaw().toByteArray();
          String text = TextDecoding.decodeUnlabelled(octets, octets.length);
          int colon = text.indexOf(':');
          if (colon > 0) {
            // As the plaintext parse reads them (MailAssembler), but not decoded: of() decodes.
            fields.add(new HeaderField(text.substring(0, colon).trim(),
                MailAssembler.unfold(text.substring(colon + 1)).trim()));
          }
        }
      }
    } catch (MimeException | IOException | RuntimeException e) {
      // lenient, as the MX is: the fields read so far
    }
    return of(fields);
  }

  private static JsonArray addresses(List<MailAddress> list) {
    JsonArray out = new JsonArray();
    list.forEach(a -> out.add(a.address()));
    return out;
  }
}
