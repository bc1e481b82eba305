package dev.postern.inbound.filing;

import dev.postern.inbound.parse.ParsedAttachment;
import dev.postern.inbound.parse.ParsedMail;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What is kept of one raw MIME, whatever the number of mailboxes it is filed into: the parsed
 * fields of a plaintext raw, or the clear facts of an encrypted one (subject and bodies stay in
 * the ciphertext).
 */
record MessageContents(String messageId, String inReplyTo, List<String> references,
    String fromName, String fromAddress, List<String> to, List<String> cc, String subject,
    Instant sentAt, JsonArray headers, String text, String html,
    List<ParsedAttachment> attachments, boolean parseFailed) {

  static MessageContents of(ParsedMail p) {
    JsonArray headers = new JsonArray();
    p.headers().forEach(h -> headers.add(new JsonObject().put("name", h.name()).put("value", h.value())));
    return new MessageContents(p.messageId().orElse(null), p.inReplyTo().orElse(null),
        p.references(), p.from().map(ParsedMail.MailAddress::name).orElse(null),
        p.from().map(ParsedMail.MailAddress::address).orElse(null),
        p.to().stream().map(ParsedMail.MailAddress::address).toList(),
        p.cc().stream().map(ParsedMail.MailAddress::address).toList(),
        p.subject(), p.date().orElse(null), headers, p.text().orElse(null), p.html().orElse(null),
        p.attachments(), p.failed());
  }

  /** A raw that could not be read as a message at all: filed raw, flagged. */
  static MessageContents unparsed() {
    return new MessageContents(null, null, List.of(), null, null, List.of(), List.of(), null,
        null, null, null, null, List.of(), true);
  }

  /**
   * The clear facts of an encrypted raw: {@code {message_id, in_reply_to, references[],
   * from_name, from_address, to[], cc[], date}}, every field optional. Missing facts (an
   * acceptor that could not read the header block) are filed flagged like a parse failure.
   */
  static MessageContents ofClearFacts(JsonObject facts) {
    if (facts == null) {
      return unparsed();
    }
    return new MessageContents(string(facts, "message_id"), string(facts, "in_reply_to"),
        addresses(facts.getValue("references")), string(facts, "from_name"),
        string(facts, "from_address"), addresses(facts.getValue("to")),
        addresses(facts.getValue("cc")), null, date(facts.getValue("date")), null, null, null,
        List.of(), false);
  }

  private static String string(JsonObject o, String field) {
    return o.getValue(field) instanceof String s && !s.isBlank() ? s : null;
  }

  /** A list of strings, or of {@code {name, address}} objects. */
  private static List<String> addresses(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (item instanceof String s && !s.isBlank()) {
          out.add(s);
        } else if (item instanceof JsonObject o && o.getValue("address") instanceof String a) {
          out.add(a);
        }
      }
    }
    return out;
  }

  /** ISO-8601, RFC 5322 (§3.3) or epoch seconds; null when none parses. */
  private static Instant date(Object value) {
    if (value instanceof Number n) {
      return Instant.ofEpochSecond(n.longValue());
    }
    if (!(value instanceof String s)) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (RuntimeException notIso) {
      try {
        return ZonedDateTime.parse(s.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      } catch (RuntimeException notRfc) {
        return null;
      }
    }
  }
}
