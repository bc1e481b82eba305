package dev.postern.http;

import dev.postern.inbound.inbox.AttachmentInfo;
import dev.postern.inbound.inbox.MessageDetail;
import dev.postern.inbound.inbox.MessageSummary;
import dev.postern.inbound.inbox.MessageThread;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The inbox's JSON shapes (issue #14, SPEC §3 "Inbox shapes"). Times are ISO-8601 in UTC with
 * microseconds, so a {@code next_cursor} names its message's {@code received_at} exactly;
 * Message-IDs are shown as written in headers, in angle brackets.
 */
public final class InboxJson {

  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  /** Header fields the {@code headers} object already carries from the parsed columns. */
  private static final Set<String> PARSED = Set.of("from", "to", "cc", "subject", "date");

  private InboxJson() {}

  public static String time(Instant instant) {
    if (instant == null) {
      return null;
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    if (t.getYear() < 0 || t.getYear() > 9999) {
      return MICROS.format(instant);
    }
    // By hand: a page of 50 summaries formats 50 times, and the pattern formatter was 6 % of
    // the gateway's CPU samples listing them (bench inbox-list --profile).
    char[] c = "0000-00-00T00:00:00.000000Z".toCharArray();
    digits(c, 0, t.getYear(), 4);
    digits(c, 5, t.getMonthValue(), 2);
    digits(c, 8, t.getDayOfMonth(), 2);
    digits(c, 11, t.getHour(), 2);
    digits(c, 14, t.getMinute(), 2);
    digits(c, 17, t.getSecond(), 2);
    digits(c, 20, t.getNano() / 1_000, 6);
    return new String(c);
  }

  private static void digits(char[] into, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      into[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** A list item (a page of them: {@link InboxPageWriter}): {@code {id, message_id, from, to, subject, preview, received_at, folder, is_read, is_starred, has_attachments, size_bytes, thread_id}}. */
  public static JsonObject summary(MessageSummary m) {
    return new JsonObject()
        .put("id", m.id().toString())
        .put("message_id", msgId(m.messageId()))
        .put("from", from(m.fromName(), m.fromAddress()))
        .put("to", new JsonArray(m.to()))
        .put("subject", m.subject())
        .put("preview", m.preview())
        .put("received_at", time(m.receivedAt()))
        .put("folder", m.folder())
        .put("is_read", m.read())
        .put("is_starred", m.starred())
        .put("has_attachments", m.hasAttachments())
        .put("size_bytes", m.sizeBytes())
        .put("thread_id", m.threadId() == null ? null : m.threadId().toString());
  }

  /** One message: the list item plus headers, bodies, threading fields and attachments. */
  public static JsonObject detail(MessageDetail d) {
    MessageSummary m = d.summary();
    JsonObject headers = new JsonObject()
        .put("from", from(m.fromName(), m.fromAddress()))
        .put("to", new JsonArray(m.to()))
        .put("cc", new JsonArray(d.cc()))
        .put("subject", m.subject())
        .put("date", time(d.sentAt()));
    for (MessageDetail.Header h : d.headers()) {
      String name = h.name().toLowerCase(Locale.ROOT);
      if (PARSED.contains(name)) {
        continue;
      }
      Object seen = headers.getValue(name);
      if (seen == null) {
        headers.put(name, h.value());
      } else if (seen instanceof JsonArray values) {
        values.add(h.value());
      } else {
        headers.put(name, new JsonArray().add(seen).add(h.value()));
      }
    }
    JsonArray references = new JsonArray();
    d.references().forEach(r -> references.add(msgId(r)));
    return summary(m)
        .put("headers", headers)
        .put("text", d.text())
        .put("html", d.html())
        .put("in_reply_to", msgId(d.inReplyTo()))
        .put("references", references)
        .put("thread_position", d.threadPosition())
        .put("attachments", attachments(d.attachments()));
  }

  public static JsonObject thread(MessageThread t) {
    JsonArray messages = new JsonArray();
    t.messages().forEach(m -> messages.add(detail(m)));
    return new JsonObject().put("id", t.id().toString()).put("subject", t.subject())
        .put("message_count", t.messages().size()).put("messages", messages);
  }

  public static JsonArray attachments(List<AttachmentInfo> list) {
    JsonArray out = new JsonArray();
    list.forEach(a -> out.add(new JsonObject()
        .put("id", a.id().toString())
        .put("filename", a.filename())
        .put("content_type", a.contentType())
        .put("size", a.size())
        .put("disposition", a.disposition())
        .put("content_id", a.contentId())));
    return out;
  }

  /** {@code <id>} as in a header, or null. */
  static String msgId(String id) {
    return id == null || id.isEmpty() ? null : "<" + id + ">";
  }

  /** {@code Name <address>} (the name quoted when RFC 5322 specials need it), or the address. */
  static String from(String name, String address) {
    if (address == null) {
      return name;
    }
    if (name == null || name.isBlank()) {
      return address;
    }
    boolean specials = name.chars().anyMatch(c -> "()<>[]:;@\\,.\"".indexOf(c) >= 0);
    String shown = specials ? "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : name;
    return shown + " <" + address + ">";
  }
}
