package dev.postern.send;

import static dev.postern.send.ComposedMail.minimal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SendRequestParserTest {

  private final SendRequestParser parser = new SendRequestParser(ComposedMail.CLOCK);

  private List<Issue> issues(JsonObject body) {
    Refusal e = catchThrowableOfType(Refusal.class, () -> parser.parse(body));
    assertThat(e).as("expected a validation error").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.INVALID);
    return e.issues();
  }

  private List<String> paths(JsonObject body) {
    return issues(body).stream().map(Issue::path).toList();
  }

  private static JsonObject attachment(String filename, String content) {
    return new JsonObject().put("filename", filename).put("content", content);
  }

  @Test
  void parsesAFullResendStyleBody() {
    SendRequest r = parser.parse(minimal()
        .put("to", new JsonArray().add("a@x.example").add("B <b@x.example>"))
        .put("cc", "c@x.example").put("bcc", new JsonArray().add("A@X.example"))
        .put("reply_to", "r@acme.example").put("html", "<p>hi</p>")
        .put("headers", new JsonObject().put("X-Entity-Ref-ID", "42"))
        .put("attachments", new JsonArray().add(attachment("a.txt", "aGk")))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "category").put("value", "reset_pw")))
        .put("in_reply_to", "<parent@x.example>").put("scheduled_at", "in 2 hours"));
    assertThat(r.from().address()).isEqualTo("noreply@acme.example");
    assertThat(r.from().domain()).isEqualTo("acme.example");
    assertThat(r.to()).hasSize(2);
    assertThat(r.envelopeRecipients()).containsExactly("a@x.example", "b@x.example", "c@x.example");
    assertThat(r.attachments().get(0).base64()).hasToString("aGk=");
    assertThat(r.attachments().get(0).decodedSize()).isEqualTo(2);
    assertThat(r.attachments().get(0).contentType()).isEqualTo("application/octet-stream");
    assertThat(r.tags()).containsExactly(new SendRequest.Tag("category", "reset_pw"));
    assertThat(r.inReplyTo()).contains("<parent@x.example>");
    assertThat(r.scheduledAt()).contains(Instant.parse("2026-11-22T12:00:00Z"));
    assertThat(r.text()).contains("Hi there");
  }

  @Test
  void listsEveryFailingField() {
    JsonObject body = new JsonObject()
        .put("from", "not an address")
        .put("to", new JsonArray().add("ok@x.example").add(5).add("bad@").add("x@y.example"))
        .put("cc", 7)
        .put("subject", "a\r\nBcc: x@evil.example")
        .put("headers", new JsonObject().put("From", "x@evil.example").put("X-Ok", "1")
            .put("X-Bad", "v\r\nBcc: y@evil.example").put("Bad Name", "v"))
        .put("attachments", new JsonArray().add(attachment("../etc/passwd", "!!!")).add("x"))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "has space").put("value", "v")))
        .put("in_reply_to", "<a>\r\n<b>")
        .put("scheduled_at", "whenever");
    assertThat(paths(body)).containsExactlyInAnyOrder(
        "from", "to[1]", "to[2]", "cc", "subject", "text", "headers.From", "headers.X-Bad",
        "headers[3]", "attachments[0].filename", "attachments[0].content", "attachments[1]",
        "tags[0].name", "in_reply_to", "scheduled_at");
  }

  @Test
  void requiresFromToSubjectAndABody() {
    assertThat(paths(new JsonObject())).containsExactlyInAnyOrder("from", "to", "subject", "text");
    assertThat(paths(minimal().put("to", new JsonArray()))).containsExactly("to");
  }

  @ParameterizedTest
  @ValueSource(strings = {"subject", "from", "to", "cc", "bcc", "reply_to"})
  void rejectsCrLfNulAndLineSeparatorsNamingTheField(String field) {
    for (String bad : List.of("a\rb", "a\nb", "a\u0000b", "a\u2028b", "a\u2029b")) {
      String value = field.equals("subject") ? bad : "Name " + bad + " <a@b.example>";
      assertThat(paths(minimal().put(field, value))).containsExactly(field);
    }
  }

  @Test
  void rejectsCrLfInSubject() {
    assertThat(issues(minimal().put("subject", "Hi\r\nBcc: victim@example.com")))
        .singleElement().satisfies(i -> {
          assertThat(i.path()).isEqualTo("subject");
          assertThat(i.message()).contains("CR or LF").doesNotContain("victim");
        });
  }

  @Test
  void rejectsHeaderInjectionInDisplayName() {
    assertThat(paths(minimal().put("from", "Evil\r\nBcc: x@evil.example <a@acme.example>")))
        .containsExactly("from");
    assertThat(paths(minimal().put("to", new JsonArray().add("ok@x.example")
        .add("\"Quoted\r\nX-Injected: 1\" <a@b.example>")))).containsExactly("to[1]");
  }

  @Test
  void rejectsSmtpInjectionInAddresses() {
    assertThat(paths(minimal().put("to", "a@b>\r\nRCPT TO:<x@evil>"))).containsExactly("to");
  }

  @Test
  void rejectsFiftyOneRecipientsInTo() {
    JsonArray fiftyOne = new JsonArray();
    for (int i = 0; i < 51; i++) {
      fiftyOne.add("u" + i + "@x.example");
    }
    assertThat(issues(minimal().put("to", fiftyOne))).singleElement()
        .satisfies(i -> assertThat(i.path()).isEqualTo("to"));
    fiftyOne.remove(50);
    assertThat(parser.parse(minimal().put("to", fiftyOne)).to()).hasSize(50);
  }

  @Test
  void capsDistinctEnvelopeRecipientsAtOneHundred() {
    JsonArray to = new JsonArray();
    JsonArray cc = new JsonArray();
    JsonArray bcc = new JsonArray();
    for (int i = 0; i < 50; i++) {
      to.add("t" + i + "@x.example");
      cc.add("c" + i + "@x.example");
      bcc.add("T" + i + "@X.example");
    }
    assertThat(parser.parse(minimal().put("to", to).put("cc", cc).put("bcc", bcc))
        .envelopeRecipients()).hasSize(100);
    bcc.set(0, "new@x.example");
    assertThat(paths(minimal().put("to", to).put("cc", cc).put("bcc", bcc))).containsExactly("to");
  }

  @Test
  void ignoresServerOwnedAndUnknownFields() {
    SendRequest plain = parser.parse(minimal());
    SendRequest withExtras = parser.parse(minimal().put("id", "00000000-0000-0000-0000-000000000000")
        .put("status", "delivered").put("key_id", "k_1").put("object", "email")
        .put("created_at", "2020-01-01T00:00:00Z").put("last_event", "opened")
        .put("replyTo", "camel@evil.example").put("scheduledAt", "garbage"));
    assertThat(withExtras).isEqualTo(plain);
  }

  @Test
  void refusesStructuralHeadersCaseInsensitively() {
    for (String name : List.of("from", "TO", "Cc", "bcc", "Subject", "date", "Message-Id",
        "MIME-Version", "content-type", "Content-Transfer-Encoding", "Reply-To", "in-reply-to",
        "References", "Sender", "Return-Path", "Received", "DKIM-Signature")) {
      assertThat(paths(minimal().put("headers", new JsonObject().put(name, "x"))))
          .containsExactly("headers." + name);
    }
  }

  /** Issue #15.6: names are allowed by list; a block-list let these through. */
  @Test
  void customHeadersAreAllowedByListNotBlockedByList() {
    for (String name : List.of("Resent-From", "Resent-To", "Authentication-Results",
        "ARC-Seal", "ARC-Authentication-Results", "Disposition-Notification-To",
        "Return-Receipt-To", "Errors-To", "Delivered-To", "Received-SPF", "TLS-Required",
        "Organisation-Made-Up", "X-", "List-")) {
      List<Issue> refused = issues(minimal().put("headers", new JsonObject().put(name, "x")));
      assertThat(refused).as(name).singleElement().satisfies(i -> {
        assertThat(i.path()).isEqualTo("headers." + name);
        assertThat(i.message()).startsWith("is not a header a sender may set (allowed: X-*, List-*");
      });
    }
    JsonObject allowed = new JsonObject().put("X-Entity-Ref-ID", "1")
        .put("List-Unsubscribe", "<https://a.example/u>")
        .put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click").put("list-id", "<l.a.example>")
        .put("Auto-Submitted", "auto-generated").put("Precedence", "bulk")
        .put("Feedback-ID", "a:b:c").put("Keywords", "k").put("Comments", "c")
        .put("Importance", "high").put("Priority", "urgent").put("Sensitivity", "private")
        .put("Organization", "Acme").put("Archived-At", "<https://a.example/m>")
        .put("Thread-Topic", "t").put("Thread-Index", "AQ==");
    assertThat(parser.parse(minimal().put("headers", allowed)).headers())
        .extracting(SendRequest.Header::name).containsExactlyElementsOf(allowed.fieldNames());
  }

  @Test
  void refusesBadHeaderNamesAndValues() {
    assertThat(paths(minimal().put("headers", new JsonObject()
        .put("X-A:B", "v").put("X-Colon", 5).put("X-Nul", "a\u0000").put("X-Long", "x".repeat(921))
        .put("", "v").put("X\r\nBcc", "v"))))
        .containsExactlyInAnyOrder("headers[0]", "headers.X-Colon", "headers.X-Nul",
            "headers.X-Long", "headers[4]", "headers[5]");
    assertThat(paths(minimal().put("headers", "X-A: 1"))).containsExactly("headers");
    // RFC 5322 allows '(' in a field name, but mime4j (Apache James) in strict mode refuses the
    // whole message for it (MimeComposerFuzzTest's finding): refused at the API instead.
    assertThat(paths(minimal().put("headers", new JsonObject().put("X-(a)", "v").put("X-b)", "v"))))
        .containsExactlyInAnyOrder("headers[0]", "headers[1]");
  }

  @Test
  void attachmentFilenameWithDotDotSlashRejected() {
    for (String name : List.of("../x.pdf", "..\\x.pdf", "a/b", "..", ".", "x\r\n.pdf",
        "x\u0000.pdf", "", " ", "x".repeat(256))) {
      assertThat(paths(minimal().put("attachments", new JsonArray().add(attachment(name, "aGk=")))))
          .as(name).containsExactly("attachments[0].filename");
    }
    assertThat(parser.parse(minimal().put("attachments", new JsonArray()
        .add(attachment("..hidden.txt", "aGk=")))).attachments()).hasSize(1);
  }

  @Test
  void rejectsBadBase64() {
    for (String content : List.of("!!!!", "aGk=aGk=", "a", "aGk===", "aGV sbG8-", "aGVsbG8_")) {
      assertThat(paths(minimal().put("attachments", new JsonArray().add(attachment("a", content)))))
          .as(content).containsExactly("attachments[0].content");
    }
  }

  @Test
  void normalisesBase64WhitespaceAndPadding() {
    String wrapped = Base64.getMimeEncoder().encodeToString(new byte[200]);
    SendRequest r = parser.parse(minimal().put("attachments", new JsonArray()
        .add(attachment("a", wrapped)).add(attachment("b", "aGVsbG8")).add(attachment("c", ""))));
    assertThat(r.attachments().get(0).base64()).hasToString(Base64.getEncoder().encodeToString(new byte[200]));
    assertThat(r.attachments().get(0).decodedSize()).isEqualTo(200);
    assertThat(r.attachments().get(1).base64()).hasToString("aGVsbG8=");
    assertThat(r.attachments().get(2).decodedSize()).isZero();
  }

  @Test
  void rejectsElevenAttachments() {
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(attachment("f" + i, "aGk="));
    }
    assertThat(paths(minimal().put("attachments", eleven))).containsExactly("attachments");
  }

  @Test
  void rejectsAttachmentsOverTwentyFiveMegabytes() {
    String justOver = "A".repeat((25 * 1024 * 1024 / 3 + 1) * 4);
    assertThat(paths(minimal().put("attachments", new JsonArray().add(attachment("big", justOver)))))
        .containsExactly("attachments[0].content");
  }

  @Test
  void validatesContentTypes() {
    assertThat(parser.parse(minimal().put("attachments", new JsonArray().add(
        attachment("a.csv", "aGk=").put("content_type", "text/csv; charset=utf-8"))))
        .attachments().get(0).contentType()).isEqualTo("text/csv; charset=utf-8");
    for (String type : List.of("pdf", "text/plain\r\nX: y", "a/b/c", "text/ plain", "a/b; c")) {
      assertThat(paths(minimal().put("attachments", new JsonArray().add(
          attachment("a", "aGk=").put("content_type", type))))).as(type)
          .containsExactly("attachments[0].content_type");
    }
  }

  /** Issue #15.6: an attachment is one leaf part, named by its filename alone. */
  @Test
  void refusesContainerTypesAndDropsClientNameParameters() {
    for (String type : List.of("multipart/mixed; boundary=x", "Multipart/Alternative",
        "message/rfc822", "MESSAGE/partial; id=\"a\"")) {
      List<Issue> refused = issues(minimal().put("attachments", new JsonArray().add(
          attachment("a.eml", "aGk=").put("content_type", type))));
      assertThat(refused).as(type).singleElement().satisfies(i -> {
        assertThat(i.path()).isEqualTo("attachments[0].content_type");
        assertThat(i.message()).startsWith("must be a single-part media type, not ");
      });
    }
    assertThat(parser.parse(minimal().put("attachments", new JsonArray().add(
        attachment("invoice.pdf", "aGk=").put("content_type",
            "application/pdf; NAME=\"invoice.pdf.exe\"; x-a=\"1;2\";filename=evil.exe; charset=x"))))
        .attachments().get(0).contentType())
        .isEqualTo("application/pdf; x-a=\"1;2\"; charset=x");
    assertThat(parser.parse(minimal().put("attachments", new JsonArray().add(
        attachment("a.txt", "aGk=").put("content_type", "text/plain;name=a.exe"))))
        .attachments().get(0).contentType()).isEqualTo("text/plain");
  }

  @Test
  void refusesAttachmentsByPath() {
    assertThat(issues(minimal().put("attachments", new JsonArray().add(
        new JsonObject().put("filename", "a").put("path", "https://x.example/a")))))
        .singleElement().satisfies(i -> assertThat(i.message()).contains("path"));
  }

  @Test
  void validatesTagsTheWayResendDoes() {
    assertThat(paths(minimal().put("tags", new JsonArray()
        .add(new JsonObject().put("name", "ok-1_x").put("value", "v"))
        .add(new JsonObject().put("name", "é").put("value", "v"))
        .add(new JsonObject().put("name", "n").put("value", "x".repeat(257)))
        .add(new JsonObject().put("name", "n")))))
        .containsExactly("tags[1].name", "tags[2].value", "tags[3].value");
  }

  @Test
  void rejectsSubjectsOver998Characters() {
    assertThat(parser.parse(minimal().put("subject", "é".repeat(998))).subject()).hasSize(998);
    assertThat(paths(minimal().put("subject", "x".repeat(999)))).containsExactly("subject");
  }

  @Test
  void normalisesInReplyToIntoAngleBrackets() {
    assertThat(parser.parse(minimal().put("in_reply_to", "abc@x.example")).inReplyTo())
        .contains("<abc@x.example>");
    assertThat(paths(minimal().put("in_reply_to", "a b@x"))).containsExactly("in_reply_to");
  }
}
