package dev.postern.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.postern.inbound.inbox.MessagePage;
import dev.postern.inbound.inbox.MessageSummary;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A list page, {@code {messages: [...], next_cursor}}, written straight into Jackson's generator:
 * each item the same bytes as {@link InboxJson#summary} encoded (pinned by InboxPageWriterTest),
 * without the 50 {@code JsonObject}s in between, which were 22 % of the gateway's allocations
 * listing a page (bench inbox-list --profile). A field added to the summary must be added here.
 */
final class InboxPageWriter {

  private static final JsonFactory JSON = new JsonFactory();

  private InboxPageWriter() {}

  static Buffer write(MessagePage page) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512 + 512 * page.messages().size());
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeArrayFieldStart("messages");
      for (MessageSummary m : page.messages()) {
        summary(g, m);
      }
      g.writeEndArray();
      g.writeStringField("next_cursor", InboxJson.time(page.nextCursor()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static void summary(JsonGenerator g, MessageSummary m) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", m.id().toString());
    g.writeStringField("message_id", InboxJson.msgId(m.messageId()));
    g.writeStringField("from", InboxJson.from(m.fromName(), m.fromAddress()));
    g.writeArrayFieldStart("to");
    for (String to : m.to()) {
      g.writeString(to);
    }
    g.writeEndArray();
    g.writeStringField("subject", m.subject());
    g.writeStringField("preview", m.preview());
    g.writeStringField("received_at", InboxJson.time(m.receivedAt()));
    g.writeStringField("folder", m.folder());
    g.writeBooleanField("is_read", m.read());
    g.writeBooleanField("is_starred", m.starred());
    g.writeBooleanField("has_attachments", m.hasAttachments());
    g.writeNumberField("size_bytes", m.sizeBytes());
    g.writeStringField("thread_id", m.threadId() == null ? null : m.threadId().toString());
    g.writeEndObject();
  }
}
