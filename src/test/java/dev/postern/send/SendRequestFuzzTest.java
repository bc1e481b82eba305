package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.mail.EmailAddress;
import dev.postern.mail.UnsafeText;
import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Jazzer target for the REST send validator exactly as {@code POST /v1/emails} runs it: request
 * bytes → {@link RequestJson#object} → {@link SendRequestParser#parse} (which applies
 * {@link HeaderRules}, {@link AttachmentRules}, tags and {@code scheduled_at}). In a normal
 * {@code mvn test} it runs once per kept input under
 * {@code src/test/resources/dev/postern/send/SendRequestFuzzTestInputs/body/}; {@code
 * scripts/fuzz.sh send} fuzzes it.
 *
 * <p>A failure is: any exception but a {@link Refusal} of reason INVALID (anything else is a 500);
 * a refusal without issues, or whose paths or messages could break a log line; an accepted
 * request that breaks SPEC §3's limits or {@link SendRequest}'s promise that every string in it
 * is safe to put in a header; an accepted request that does not compose into CRLF-only lines of
 * at most 998 octets (RFC 5322 §2.1.1); or a request that parses differently once its JSON is
 * re-encoded (the parser must depend on the value, not on its spelling).
 */
class SendRequestFuzzTest {

  private static final RequestJson JSON = new RequestJson();
  private static final SendRequestParser PARSER = new SendRequestParser(ComposedMail.CLOCK);
  /** SPEC §3 / issue #15.6: the whole names a sender may set besides X-* and List-*. */
  private static final Set<String> SETTABLE = Set.of("auto-submitted", "precedence",
      "feedback-id", "keywords", "comments", "importance", "priority", "sensitivity",
      "organization", "archived-at", "thread-topic", "thread-index");

  @DictionaryEntries({"\"from\"", "\"to\"", "\"cc\"", "\"bcc\"", "\"reply_to\"", "\"subject\"",
      "\"text\"", "\"html\"", "\"headers\"", "\"attachments\"", "\"filename\"", "\"content\"",
      "\"content_type\"", "\"path\"", "\"tags\"", "\"name\"", "\"value\"", "\"in_reply_to\"",
      "\"scheduled_at\"", "\"X-", "\"List-", "\"Content-", "a@b.example", " <x@y.example>",
      "=?UTF-8?B?", "\\u0000", "\\r\\n", "\\ud800", "\\u2028", "aGk=", "text/plain; charset=",
      "in 5 min", "2026-11-22T10:00:00Z", "1e999", "xn--"})
  @FuzzTest(maxDuration = "10m")
  void body(byte[] input) {
    SendRequest request;
    try {
      request = PARSER.parse(JSON.object(Buffer.buffer(input)));
    } catch (Refusal refusal) {
      checkRefusal(refusal);
      return;
    }
    checkAccepted(request);
    // Re-encoding the decoded JSON changes its spelling (escapes, spacing, numbers), not its
    // value: the request must come out the same.
    JsonObject again = JSON.object(Buffer.buffer(input));
    assertThat(PARSER.parse(JSON.object(again.toBuffer()))).isEqualTo(request);
  }

  private static void checkRefusal(Refusal refusal) {
    assertThat(refusal.reason()).isEqualTo(Reason.INVALID);
    assertThat(refusal.issues()).isNotEmpty();
    for (Issue issue : refusal.issues()) {
      assertThat(UnsafeText.inHeader(issue.path())).as("path " + issue.path()).isEmpty();
      assertThat(UnsafeText.inHeader(issue.message())).as("message " + issue.message()).isEmpty();
      assertThat(issue.message()).isNotBlank();
    }
  }

  /** SPEC §3 "Send body": what an accepted request may hold. */
  static void checkAccepted(SendRequest r) {
    assertThat(r.to()).isNotEmpty().hasSizeLessThanOrEqualTo(SendRequestParser.MAX_PER_LIST);
    assertThat(r.cc()).hasSizeLessThanOrEqualTo(SendRequestParser.MAX_PER_LIST);
    assertThat(r.bcc()).hasSizeLessThanOrEqualTo(SendRequestParser.MAX_PER_LIST);
    assertThat(r.replyTo()).hasSizeLessThanOrEqualTo(SendRequestParser.MAX_REPLY_TO);
    assertThat(r.envelopeRecipients()).hasSizeLessThanOrEqualTo(SendRequestParser.MAX_RECIPIENTS);
    List<EmailAddress> all = new ArrayList<>(List.of(r.from()));
    all.addAll(r.to());
    all.addAll(r.cc());
    all.addAll(r.bcc());
    all.addAll(r.replyTo());
    for (EmailAddress a : all) {
      assertThat(a.localPart()).matches("[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+(\\.[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+)*")
          .hasSizeLessThanOrEqualTo(EmailAddress.MAX_LOCAL_PART);
      assertHostName(a.domain());
      assertThat(a.address().length()).isLessThanOrEqualTo(EmailAddress.MAX_ADDRESS);
      if (a.displayName() != null) {
        assertHeaderSafe(a.displayName());
        assertThat(a.displayName()).isNotBlank();
      }
    }
    assertHeaderSafe(r.subject());
    assertThat(r.subject().codePointCount(0, r.subject().length()))
        .isLessThanOrEqualTo(SendRequestParser.MAX_SUBJECT);
    assertThat(r.text().isPresent() || r.html().isPresent()).isTrue();
    r.text().ifPresent(t -> assertThat(UnsafeText.inBody(t)).isEmpty());
    r.html().ifPresent(t -> assertThat(UnsafeText.inBody(t)).isEmpty());
    assertThat(r.headers()).hasSizeLessThanOrEqualTo(HeaderRules.MAX_HEADERS);
    for (SendRequest.Header h : r.headers()) {
      assertThat(h.name()).matches("[!-9;-~]{1,76}");
      String lower = h.name().toLowerCase(Locale.ROOT);
      assertThat((lower.startsWith("x-") && lower.length() > 2)
          || (lower.startsWith("list-") && lower.length() > 5) || SETTABLE.contains(lower))
          .as("a header a sender may set: " + h.name()).isTrue();
      assertThat(lower).doesNotStartWith("content-");
      assertHeaderSafe(h.value());
      assertThat(h.value()).isEqualTo(h.value().strip());
      assertThat(h.value().codePointCount(0, h.value().length()))
          .isLessThanOrEqualTo(HeaderRules.MAX_VALUE);
    }
    assertThat(r.attachments()).hasSizeLessThanOrEqualTo(AttachmentRules.MAX_ATTACHMENTS);
    for (SendRequest.Attachment a : r.attachments()) {
      assertHeaderSafe(a.filename());
      assertThat(a.filename()).isNotBlank().doesNotContain("/", "\\");
      assertThat(a.filename().chars().allMatch(c -> c == '.')).isFalse();
      assertThat(a.contentType()).matches("[A-Za-z0-9!#$&^_.+\\-]+/[^\\r\\n]*");
      assertThat(a.contentType().substring(0, a.contentType().indexOf('/')).toLowerCase(Locale.ROOT))
          .isNotIn("multipart", "message");
      assertThat(a.base64()).matches("[A-Za-z0-9+/]*={0,2}");
      assertThat(a.base64().length() % 4).isZero();
      assertThat((long) Base64.getDecoder().decode(a.base64().toString()).length).isEqualTo(a.decodedSize());
    }
    for (SendRequest.Tag tag : r.tags()) {
      assertThat(tag.name()).matches("[A-Za-z0-9_\\-]{1,256}");
      assertThat(tag.value()).matches("[A-Za-z0-9_\\-]{1,256}");
    }
    r.inReplyTo().ifPresent(id -> assertThat(id).matches("<[!-;=?-~]{1,500}>"));
    r.scheduledAt().ifPresent(at -> assertThat(at).isAfter(ComposedMail.NOW)
        .isBeforeOrEqualTo(ComposedMail.NOW.plus(ScheduleParser.MAX_AHEAD)));
    byte[] mime = new MimeComposer(new Random(1))
        .compose(r, new MessageStamp("<fuzz@example.com>", ComposedMail.NOW)).getBytes();
    assertWellFormedLines(mime);
  }

  /** RFC 1123 §2.1 LDH labels of 1-63, at least two, the last not all digits, ≤ 253 in all. */
  private static void assertHostName(String domain) {
    assertThat(domain.length()).isLessThanOrEqualTo(253);
    String[] labels = domain.split("\\.", -1);
    assertThat(labels.length).as(domain).isGreaterThanOrEqualTo(2);
    for (String label : labels) {
      assertThat(label).as(domain).matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    }
    assertThat(labels[labels.length - 1]).as(domain).matches(".*[a-z-].*");
  }

  private static void assertHeaderSafe(String text) {
    assertThat(UnsafeText.inHeader(text)).as("header-safe: " + text).isEmpty();
  }

  /** Every line ends in CRLF and holds at most 998 octets (RFC 5322 §2.1.1). */
  static void assertWellFormedLines(byte[] bytes) {
    int lineLength = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\r') {
        assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n').as("bare CR at " + i).isTrue();
        lineLength = 0;
        i++;
      } else {
        assertThat(bytes[i]).as("bare LF at " + i).isNotEqualTo((byte) '\n');
        assertThat(++lineLength).as("line length at " + i).isLessThanOrEqualTo(998);
      }
    }
    assertThat(lineLength).as("message ends with CRLF").isZero();
  }
}
