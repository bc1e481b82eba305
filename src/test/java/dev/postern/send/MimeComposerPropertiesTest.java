package dev.postern.send;

import static dev.postern.send.ComposedMail.canonical;
import static dev.postern.send.ComposedMail.parts;
import static dev.postern.send.ComposedMail.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import dev.postern.mail.UnsafeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.Mailbox;

/**
 * TESTING.md "Fuzzing and properties" for the send path: whatever a client puts in any field,
 * the body is either refused with 400 or composed into a message with CRLF-only lines ≤ 998
 * octets, exactly the expected top-level headers, and the client's text read back unchanged.
 */
class MimeComposerPropertiesTest {

  @Provide
  Arbitrary<String> hostile() {
    return HostileText.any();
  }

  @Provide
  Arbitrary<String> headerSafe() {
    return HostileText.headerSafe();
  }

  /** One hostile value in one field, the rest ordinary: about half are accepted. */
  @Property(tries = 3000)
  void noFieldCanInjectAHeaderLine(
      @ForAll("hostile") String value, @ForAll @IntRange(min = 0, max = 9) int field) {
    JsonObject body = ordinary();
    switch (field) {
      case 0 -> body.put("from", quotedName(value) + " <noreply@acme.example>");
      case 1 -> body.put("to", new JsonArray().add(value + " <to@example.com>"));
      case 2 -> body.put("cc", value);
      case 3 -> body.put("reply_to", value + " <r@example.com>");
      case 4 -> body.put("subject", value);
      case 5 -> body.put("headers", new JsonObject().put("X-Custom", value));
      case 6 -> body.put("headers", new JsonObject().put(value, "v"));
      case 7 -> body.put("attachments", new JsonArray().add(new JsonObject()
          .put("filename", value).put("content", "aGk=").put("content_type", "text/plain")));
      case 8 -> body.put("in_reply_to", value);
      default -> body.put("text", value).put("html", value);
    }
    SendRequest request;
    try {
      request = ComposedMail.request(body);
    } catch (Refusal e) {
      assertThat(e.reason()).isEqualTo(Reason.INVALID);
      Statistics.collect("refused");
      return;
    }
    Statistics.collect("composed");
    ComposedMail mail = ComposedMail.of(request);
    mail.assertWellFormedLines();
    List<String> expected = new ArrayList<>(List.of("From", "To", "Cc", "Reply-To", "Subject",
        "Date", "Message-ID", "MIME-Version", "Content-Type"));
    if (field != 7 && field != 9) {
      expected.add("Content-Transfer-Encoding");
    }
    if (field == 8) {
      expected.addAll(List.of("In-Reply-To", "References"));
    }
    if (field == 5) {
      expected.add("X-Custom");
    }
    if (field == 6) {
      expected.add(value);
    }
    assertThat(mail.headerNames()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(mail.raw()).doesNotContain("bcc@example.com");
    if (field == 4) {
      assertThat(mail.message.getSubject()).isEqualTo(value);
    }
  }

  /** Every field at once, with text that all of them accept: it all reads back unchanged. */
  @Property(tries = 1500)
  void headerSafeTextReadsBackExactly(
      @ForAll("headerSafe") String subject, @ForAll("headerSafe") String name,
      @ForAll("headerSafe") String headerValue, @ForAll("headerSafe") String filename,
      @ForAll("hostile") String text) {
    String safeBody = text.replaceAll("[\\ud800-\\udfff]", "");
    String file = filename.isBlank() || filename.chars().allMatch(c -> c == '.')
        ? "x" + filename : filename.replace('/', '_').replace('\\', '_');
    JsonObject body = ordinary()
        .put("from", quotedName(name) + " <noreply@acme.example>")
        .put("subject", subject)
        .put("text", safeBody).put("html", "<p>" + safeBody + "</p>")
        .put("headers", new JsonObject().put("X-Custom", headerValue))
        .put("attachments", new JsonArray().add(
            new JsonObject().put("filename", file).put("content", "aGk=")));
    ComposedMail mail = ComposedMail.of(body);
    mail.assertWellFormedLines();
    assertThat(mail.headerNames()).containsExactly("From", "To", "Cc", "Reply-To", "Subject",
        "Date", "Message-ID", "MIME-Version", "X-Custom", "Content-Type");
    assertThat(mail.message.getSubject()).isEqualTo(subject);
    Mailbox from = mail.message.getFrom().get(0);
    assertThat(from.getAddress()).isEqualTo("noreply@acme.example");
    if (!name.isBlank()) {
      assertThat(from.getName()).isEqualTo(name);
    }
    if (!(UnsafeText.isAscii(headerValue) && EncodedWords.looksEncoded(headerValue))) {
      // Custom ASCII values are written verbatim, so one that contains "=?" is the client's
      // own (possibly pre-encoded) text; every other value reads back exactly, stripped.
      assertThat(DecoderUtil.decodeEncodedWords(mail.header("X-Custom"), DecodeMonitor.SILENT))
          .isEqualTo(headerValue.strip());
    }
    Entity alternative = parts(mail.message).get(0);
    assertThat(text(parts(alternative).get(0))).isEqualTo(canonical(safeBody));
    assertThat(text(parts(alternative).get(1))).isEqualTo(canonical("<p>" + safeBody + "</p>"));
    Entity attachment = parts(mail.message).get(1);
    assertThat(attachment.getFilename()).isEqualTo(file);
    assertThat(ComposedMail.binary(attachment)).isEqualTo("hi".getBytes());
  }

  private static JsonObject ordinary() {
    return new JsonObject()
        .put("from", "Acme <noreply@acme.example>")
        .put("to", "to@example.com").put("cc", "cc@example.com").put("bcc", "bcc@example.com")
        .put("reply_to", "r@example.com").put("subject", "Hello").put("text", "Hi");
  }

  /** A display name in a quoted-string, so that any text is a syntactically valid name. */
  private static String quotedName(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
