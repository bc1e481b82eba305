package dev.postern.send;

import static dev.postern.send.ComposedMail.canonical;
import static dev.postern.send.ComposedMail.minimal;
import static dev.postern.send.ComposedMail.parts;
import static dev.postern.send.ComposedMail.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.junit.jupiter.api.Test;

class MimeComposerTest {

  @Test
  void composesTextOnlyAsSevenBitTextPlain() {
    ComposedMail mail = ComposedMail.of(minimal());
    mail.assertWellFormedLines();
    assertThat(mail.message.getMimeType()).isEqualTo("text/plain");
    assertThat(mail.message.getCharset()).isEqualTo("utf-8");
    assertThat(mail.message.getContentTransferEncoding()).isEqualTo("7bit");
    assertThat(text(mail.message)).isEqualTo("Hi there\r\n");
    assertThat(mail.headerNames()).containsExactly("From", "To", "Subject", "Date", "Message-ID",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding");
    assertThat(mail.header("Date")).isEqualTo("Sun, 22 Nov 2026 10:00:00 +0000");
    assertThat(mail.message.getMessageId()).isEqualTo("<fixed-id@example.com>");
  }

  @Test
  void composesHtmlOnlyAsTextHtml() {
    ComposedMail mail = ComposedMail.of(minimal().put("html", "<p>Hi</p>").putNull("text"));
    assertThat(mail.message.getMimeType()).isEqualTo("text/html");
    assertThat(text(mail.message)).isEqualTo("<p>Hi</p>\r\n");
  }

  @Test
  void composesMultipartAlternativeForTextAndHtml() {
    ComposedMail mail = ComposedMail.of(minimal().put("html", "<p>Grüße</p>"));
    mail.assertWellFormedLines();
    assertThat(mail.message.getMimeType()).isEqualTo("multipart/alternative");
    List<Entity> parts = parts(mail.message);
    assertThat(parts).extracting(Entity::getMimeType).containsExactly("text/plain", "text/html");
    assertThat(text(parts.get(0))).isEqualTo("Hi there");
    assertThat(text(parts.get(1))).isEqualTo("<p>Grüße</p>");
    assertThat(parts.get(1).getContentTransferEncoding()).isEqualTo("quoted-printable");
  }

  @Test
  void wrapsBodyAndAttachmentsInMultipartMixed() {
    byte[] pdf = new byte[5000];
    new Random(1).nextBytes(pdf);
    JsonObject body = minimal().put("html", "<b>x</b>").put("attachments", new JsonArray()
        .add(new JsonObject().put("filename", "report.pdf").put("content_type", "application/pdf")
            .put("content", Base64.getEncoder().encodeToString(pdf)))
        .add(new JsonObject().put("filename", "résumé (final).txt")
            .put("content", Base64.getEncoder().encodeToString("hello".getBytes()))));
    ComposedMail mail = ComposedMail.of(body);
    mail.assertWellFormedLines();
    assertThat(mail.message.getMimeType()).isEqualTo("multipart/mixed");
    List<Entity> parts = parts(mail.message);
    assertThat(parts).hasSize(3);
    assertThat(parts.get(0).getMimeType()).isEqualTo("multipart/alternative");
    assertThat(parts.get(1).getMimeType()).isEqualTo("application/pdf");
    assertThat(parts.get(1).getDispositionType()).isEqualTo("attachment");
    assertThat(parts.get(1).getFilename()).isEqualTo("report.pdf");
    assertThat(ComposedMail.binary(parts.get(1))).isEqualTo(pdf);
    assertThat(parts.get(2).getMimeType()).isEqualTo("application/octet-stream");
    assertThat(ComposedMail.binary(parts.get(2))).isEqualTo("hello".getBytes());
    assertThat(parts.get(2).getFilename()).isEqualTo("résumé (final).txt");
    assertThat(mail.raw()).contains("filename=\"r_sum_ (final).txt\";");
    assertThat(mail.raw()).contains("filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29.txt");
    for (String line : mail.raw().split("\r\n")) {
      if (line.matches("[A-Za-z0-9+/=]{20,}")) {
        assertThat(line.length()).isLessThanOrEqualTo(76);
      }
    }
  }

  @Test
  void splitsLongNonAsciiFilenamesIntoRfc2231Continuations() {
    String name = "ü".repeat(200) + ".txt";
    ComposedMail mail = ComposedMail.of(minimal().put("attachments", new JsonArray().add(
        new JsonObject().put("filename", name).put("content", "aGk="))));
    mail.assertWellFormedLines();
    assertThat(mail.raw()).contains("filename*0*=UTF-8''%C3%BC").contains("filename*1*=");
    assertThat(parts(mail.message).get(1).getFilename()).isEqualTo(name);
    for (String line : mail.raw().split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(78);
    }
  }

  @Test
  void neverWritesBcc() {
    ComposedMail mail = ComposedMail.of(minimal()
        .put("cc", "Carol <carol@example.com>")
        .put("bcc", new JsonArray().add("secret@example.com").add("USER@example.com")));
    assertThat(mail.headerNames()).doesNotContain("Bcc");
    assertThat(mail.raw()).doesNotContainIgnoringCase("bcc").doesNotContain("secret@");
    SendRequest request = ComposedMail.request(minimal()
        .put("cc", "Carol <carol@example.com>")
        .put("bcc", new JsonArray().add("secret@example.com").add("USER@example.com")));
    assertThat(request.envelopeRecipients())
        .containsExactly("user@example.com", "carol@example.com", "secret@example.com");
  }

  @Test
  void encodesNonAsciiSubjectAsEncodedWords() {
    String subject = "Ünïcödé 🎉 ".repeat(20).strip();
    ComposedMail mail = ComposedMail.of(minimal().put("subject", subject));
    mail.assertWellFormedLines();
    assertThat(mail.message.getSubject()).isEqualTo(subject);
    String raw = mail.raw();
    String header = raw.substring(raw.indexOf("Subject:"), raw.indexOf("\r\nDate:"));
    for (String line : header.split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(78);
    }
    assertThat(header).matches("(?s)Subject: =\\?UTF-8\\?B\\?.*");
    java.util.regex.Matcher words = java.util.regex.Pattern.compile("=\\?UTF-8\\?B\\?[^?]*\\?=")
        .matcher(header);
    while (words.find()) {
      assertThat(words.group().length()).isLessThanOrEqualTo(75);
    }
  }

  @Test
  void encodesTextThatLooksLikeAnEncodedWordSoItReadsBackLiterally() {
    ComposedMail mail = ComposedMail.of(minimal().put("subject", "=?UTF-8?B?QkNDOiB4?="));
    assertThat(mail.message.getSubject()).isEqualTo("=?UTF-8?B?QkNDOiB4?=");
  }

  @Test
  void foldsLongAsciiSubjectsAtSpaces() {
    String subject = "word ".repeat(150).strip();
    ComposedMail mail = ComposedMail.of(minimal().put("subject", subject));
    mail.assertWellFormedLines();
    assertThat(mail.message.getSubject()).isEqualTo(subject);
    assertThat(mail.raw().split("\r\n")).allMatch(line -> line.length() <= 78);
  }

  @Test
  void quotesDisplayNamesWithSpecialsAndEncodesNonAscii() {
    ComposedMail mail = ComposedMail.of(minimal()
        .put("from", "\"Acme, Inc. \\\"Support\\\"\" <help@acme.example>")
        .put("to", new JsonArray().add("Zoë Ångström <zoe@example.com>").add("plain@example.com"))
        .put("reply_to", "Support Team <support@acme.example>"));
    mail.assertWellFormedLines();
    Mailbox from = mail.message.getFrom().get(0);
    assertThat(from.getName()).isEqualTo("Acme, Inc. \"Support\"");
    assertThat(mail.raw()).contains("From: \"Acme, Inc. \\\"Support\\\"\" <help@acme.example>");
    Mailbox zoe = (Mailbox) mail.message.getTo().get(0);
    assertThat(zoe.getName()).isEqualTo("Zoë Ångström");
    assertThat(zoe.getAddress()).isEqualTo("zoe@example.com");
    assertThat(((Mailbox) mail.message.getTo().get(1)).getAddress()).isEqualTo("plain@example.com");
    assertThat(mail.header("Reply-To")).isEqualTo("Support Team <support@acme.example>");
  }

  @Test
  void writesIdnDomainsInPunycode() {
    ComposedMail mail = ComposedMail.of(minimal().put("to", "Bücher <info@bücher.example>"));
    assertThat(((Mailbox) mail.message.getTo().get(0)).getAddress())
        .isEqualTo("info@xn--bcher-kva.example");
  }

  @Test
  void threadsRepliesWithInReplyToAndReferences() {
    ComposedMail mail = ComposedMail.of(minimal().put("in_reply_to", "abc@mail.example"));
    assertThat(mail.header("In-Reply-To")).isEqualTo("<abc@mail.example>");
    assertThat(mail.header("References")).isEqualTo("<abc@mail.example>");
  }

  /** Issue #15.6: the name a reader shows is the validated filename, whatever content_type said. */
  @Test
  void namesAnAttachmentByItsFilenameOnly() {
    ComposedMail mail = ComposedMail.of(minimal().put("attachments", new JsonArray().add(
        new JsonObject().put("filename", "invoice.pdf").put("content", "aGk=")
            .put("content_type", "application/pdf; name=\"invoice.pdf.exe\"; charset=x"))));
    mail.assertWellFormedLines();
    Entity part = parts(mail.message).get(1);
    assertThat(part.getMimeType()).isEqualTo("application/pdf");
    assertThat(part.getFilename()).isEqualTo("invoice.pdf");
    assertThat(part.getHeader().getField("Content-Type").getBody())
        .contains("charset=x").contains("name=\"invoice.pdf\"").doesNotContain("exe");
  }

  @Test
  void writesCustomHeadersAfterMimeVersion() {
    ComposedMail mail = ComposedMail.of(minimal().put("headers", new JsonObject()
        .put("X-Entity-Ref-ID", "123")
        .put("List-Unsubscribe", "<https://acme.example/u?id=" + "x".repeat(200) + ">")
        .put("X-Greeting", "Grüß Gott")));
    mail.assertWellFormedLines();
    assertThat(mail.headerNames()).containsSubsequence(
        "MIME-Version", "X-Entity-Ref-ID", "List-Unsubscribe", "X-Greeting", "Content-Type");
    assertThat(mail.header("X-Entity-Ref-ID")).isEqualTo("123");
    assertThat(mail.raw()).contains("X-Greeting: =?UTF-8?B?");
  }

  @Test
  void usesQuotedPrintableForLongLinesAndKeepsTheText() {
    String body = "a".repeat(300) + " \n.\nFrom here\r\nend with space \r= sign=_x";
    ComposedMail mail = ComposedMail.of(minimal().put("text", body).put("html", "<p/>"));
    mail.assertWellFormedLines();
    Entity plain = parts(mail.message).get(0);
    assertThat(plain.getContentTransferEncoding()).isEqualTo("quoted-printable");
    assertThat(text(plain)).isEqualTo(canonical(body));
    assertThat(mail.raw()).doesNotContain("\r\n.\r\n").doesNotContain("\r\nFrom here");
    assertThat(mail.raw().split("\r\n")).allMatch(line -> line.length() <= 78);
  }

  @Test
  void streamingAndInMemoryOutputsAreIdentical() throws Exception {
    SendRequest request = ComposedMail.request(minimal().put("html", "<i>x</i>")
        .put("attachments", new JsonArray().add(new JsonObject().put("filename", "a.bin")
            .put("content", Base64.getEncoder().encodeToString(new byte[100_000])))));
    MessageStamp stamp = new MessageStamp("<id@acme.example>", ComposedMail.NOW);
    byte[] inMemory = new MimeComposer(new Random(3)).compose(request, stamp).getBytes();
    ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    long size = new MimeComposer(new Random(3)).writeTo(request, stamp, streamed);
    assertThat(streamed.toByteArray()).isEqualTo(inMemory);
    assertThat(size).isEqualTo(inMemory.length);
    assertThat(new MimeComposer().measure(request, stamp)).isEqualTo(inMemory.length);
  }

  @Test
  void stampUsesTheSenderDomainAndTheClock() {
    SendRequest request = ComposedMail.request(minimal());
    MessageStamp stamp = MessageStamp.create(ComposedMail.CLOCK, request.from());
    assertThat(stamp.messageId()).matches("<[0-9a-f\\-]{36}@acme\\.example>");
    assertThat(stamp.date()).isEqualTo(ComposedMail.NOW);
  }

  @Test
  void boundariesAreRandomPerMessage() {
    SendRequest request = ComposedMail.request(minimal().put("html", "<p/>"));
    MessageStamp stamp = new MessageStamp("<id@acme.example>", ComposedMail.NOW);
    String a = new MimeComposer().compose(request, stamp).toString(StandardCharsets.US_ASCII);
    String b = new MimeComposer().compose(request, stamp).toString(StandardCharsets.US_ASCII);
    assertThat(a).isNotEqualTo(b).hasSameSizeAs(b);
  }
}
