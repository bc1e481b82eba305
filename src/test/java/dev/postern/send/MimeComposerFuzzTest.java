package dev.postern.send;

import static dev.postern.send.ComposedMail.canonical;
import static dev.postern.send.ComposedMail.parts;
import static dev.postern.send.ComposedMail.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.mail.EmailAddress;
import dev.postern.mail.UnsafeText;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.address.Mailbox;

/**
 * Jazzer target for {@link MimeComposer} over requests that are valid by construction: the
 * fuzz input fills every field of a send body, which {@link SendRequestParser} then turns into
 * the {@link SendRequest} (the only way one is made). In a normal {@code mvn test} it runs once
 * per kept input under {@code src/test/resources/dev/postern/send/MimeComposerFuzzTestInputs/compose/};
 * {@code scripts/fuzz.sh mime} fuzzes it.
 *
 * <p>Input layout (so seeds can be written by hand): byte 0 is flags (bit 0 text, 1 html,
 * 2 attachment, 3 custom header, 4 in_reply_to, 5 cc and reply_to, 6 attachment base64 sent
 * wrapped at 76, 7 a second attachment); then NUL-separated UTF-8 fields: subject, From display
 * name, To display name, text, html, custom header name (after "X-"), its value, attachment file
 * name, in_reply_to; the rest is the attachment's bytes. Characters a header field refuses are
 * dropped from header-bound fields first, so most inputs are accepted.
 *
 * <p>A failure is: composing throws; an octet outside 7-bit printable ASCII, TAB, CR, LF (the
 * composer's contract: headers ASCII, bodies 7bit, quoted-printable or base64); a bare CR or LF
 * or a line over 998 octets (RFC 5322 §2.1.1); a header line that neither starts a field
 * ({@code name:}) nor continues one (RFC 5322 §2.2.3), or fields other than the expected ones
 * (never Bcc); {@link MimeComposer#measure} differing from the composed size; or mime4j reading
 * back (strictly) another subject, addresses, display names, custom value, text, html,
 * attachment name or attachment bytes than were sent.
 */
class MimeComposerFuzzTest {

  private static final SendRequestParser PARSER = new SendRequestParser(ComposedMail.CLOCK);
  private static final MessageStamp STAMP = new MessageStamp("<fuzz@acme.example>", ComposedMail.NOW);
  private static final List<String> TYPES = List.of("application/octet-stream",
      "text/plain; charset=utf-8", "image/png", "application/pdf; x=\"a b\"");
  private static final String BCC = "hidden@bcc.example";

  // No CR, LF or NUL entries: Jazzer 0.30 writes them into libFuzzer's dictionary file raw, which
  // libFuzzer refuses, and escapes backslashes; the seed inputs carry them instead.
  @DictionaryEntries({"=?", "?=", "=_", "From ", "--=_postern_", " ", "'", "é", "🎉", "中"})
  @FuzzTest(maxDuration = "10m")
  void compose(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int flags = input[0] & 0xff;
    List<byte[]> raw = split(Arrays.copyOfRange(input, 1, input.length), 9);
    String subject = headerSafe(field(raw, 0));
    String fromName = headerSafe(field(raw, 1));
    String toName = headerSafe(field(raw, 2));
    boolean hasText = (flags & 1) != 0 || (flags & 2) == 0;
    boolean hasHtml = (flags & 2) != 0;
    String text = field(raw, 3);
    String html = field(raw, 4);
    String headerName = "X-" + field(raw, 5).replaceAll("[^!-'*-9;-~]", "");
    String headerValue = headerSafe(field(raw, 6));
    String filename = headerSafe(field(raw, 7)).replace('/', '_').replace('\\', '_');
    filename = filename.isBlank() || filename.chars().allMatch(c -> c == '.') ? "f" + filename : filename;
    String inReplyTo = field(raw, 8).replaceAll("[^!-;=?-~]", "");
    byte[] content = raw.size() > 9 ? raw.get(9) : new byte[0];

    JsonObject body = new JsonObject()
        .put("from", quotedName(fromName) + " <noreply@acme.example>")
        .put("to", new JsonArray().add(quotedName(toName) + " <to@example.com>").add("two@example.com"))
        .put("bcc", BCC)
        .put("subject", subject);
    if (hasText) {
      body.put("text", text);
    }
    if (hasHtml) {
      body.put("html", html);
    }
    if ((flags & 8) != 0) {
      body.put("headers", new JsonObject().put(headerName, headerValue));
    }
    if ((flags & 16) != 0 && !inReplyTo.isEmpty()) {
      body.put("in_reply_to", inReplyTo);
    }
    if ((flags & 32) != 0) {
      body.put("cc", "cc@example.com").put("reply_to", "Replies <r@example.com>");
    }
    List<byte[]> attached = new ArrayList<>();
    if ((flags & 4) != 0) {
      JsonArray attachments = new JsonArray();
      String type = TYPES.get(content.length % TYPES.size());
      Base64.Encoder encoder = (flags & 64) != 0 ? Base64.getMimeEncoder() : Base64.getEncoder();
      attachments.add(new JsonObject().put("filename", filename)
          .put("content", encoder.encodeToString(content)).put("content_type", type));
      attached.add(content);
      if ((flags & 128) != 0) {
        byte[] reversed = reverse(content);
        attachments.add(new JsonObject().put("filename", "2" + filename)
            .put("content", encoder.encodeToString(reversed)));
        attached.add(reversed);
      }
      body.put("attachments", attachments);
    }

    SendRequest request;
    try {
      request = PARSER.parse(body);
    } catch (Refusal refusal) {
      assertThat(refusal.reason()).isEqualTo(Reason.INVALID);
      return;
    }
    MimeComposer composer = new MimeComposer(new Random(input.length));
    byte[] mime = composer.compose(request, STAMP).getBytes();
    assertThat(composer.measure(request, STAMP)).isEqualTo(mime.length);
    for (int i = 0; i < mime.length; i++) {
      int b = mime[i];
      assertThat(b == '\t' || b == '\r' || b == '\n' || (b >= 0x20 && b <= 0x7e))
          .as("octet 0x%02x at %d", b & 0xff, i).isTrue();
    }
    SendRequestFuzzTest.assertWellFormedLines(mime);

    List<String> expected = new ArrayList<>(List.of("From", "To"));
    if (!request.cc().isEmpty()) {
      expected.addAll(List.of("Cc", "Reply-To"));
    }
    expected.addAll(List.of("Subject", "Date", "Message-ID"));
    if (request.inReplyTo().isPresent()) {
      expected.addAll(List.of("In-Reply-To", "References"));
    }
    expected.add("MIME-Version");
    request.headers().forEach(h -> expected.add(h.name()));
    expected.add("Content-Type");
    if (attached.isEmpty() && !(hasText && hasHtml)) {
      expected.add("Content-Transfer-Encoding");
    }
    assertThat(fieldNames(mime)).containsExactlyElementsOf(expected);
    assertThat(new String(mime, StandardCharsets.US_ASCII)).doesNotContain(BCC);

    Message message = ComposedMail.parse(mime);
    assertThat(message.getSubject()).isEqualTo(subject);
    assertMailbox(message.getFrom().get(0), request.from());
    assertMailbox((Mailbox) message.getTo().get(0), request.to().get(0));
    request.inReplyTo().ifPresent(id ->
        assertThat(message.getHeader().getField("In-Reply-To").getBody()).isEqualTo(id));
    for (SendRequest.Header h : request.headers()) {
      String written = message.getHeader().getField(h.name()).getBody();
      if (UnsafeText.isAscii(h.value())) {
        // ASCII values are written verbatim (a client may send its own encoded words).
        assertThat(written).isEqualTo(h.value());
      } else {
        assertThat(DecoderUtil.decodeEncodedWords(written, DecodeMonitor.SILENT))
            .isEqualTo(h.value());
      }
    }
    Entity bodyEntity = attached.isEmpty() ? message : parts(message).get(0);
    if (hasText && hasHtml) {
      assertThat(text(parts(bodyEntity).get(0))).isEqualTo(canonical(text));
      assertThat(text(parts(bodyEntity).get(1))).isEqualTo(canonical(html));
    } else {
      String sent = canonical(hasHtml ? html : text);
      // A text part that is the whole message ends with CRLF so the message does (MimeComposer).
      boolean wholeMessage = attached.isEmpty() && !sent.endsWith("\r\n");
      assertThat(text(bodyEntity)).isEqualTo(wholeMessage ? sent + "\r\n" : sent);
    }
    for (int i = 0; i < attached.size(); i++) {
      Entity part = parts(message).get(i + 1);
      SendRequest.Attachment sent = request.attachments().get(i);
      assertThat(part.getFilename()).isEqualTo(sent.filename());
      assertThat(part.getMimeType()).isEqualTo(
          sent.contentType().split(";")[0].strip().toLowerCase(Locale.ROOT));
      assertThat(bytes(part)).isEqualTo(attached.get(i));
    }
  }

  /** The decoded content of a leaf part (text/* types are TextBody, others BinaryBody). */
  private static byte[] bytes(Entity part) {
    try (InputStream in = ((SingleBody) part.getBody()).getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertMailbox(Mailbox read, EmailAddress sent) {
    assertThat(read.getAddress()).isEqualTo(sent.address());
    assertThat(read.getName()).isEqualTo(sent.displayName());
  }

  /**
   * The names of the top-level header fields, checking that each line starts a field (RFC 5322
   * §3.6.8 ftext then ':') or continues one with WSP (§2.2.3), so unfolding is well defined.
   */
  static List<String> fieldNames(byte[] mime) {
    String all = new String(mime, StandardCharsets.US_ASCII);
    int end = all.indexOf("\r\n\r\n");
    assertThat(end).as("a blank line ends the header").isPositive();
    List<String> names = new ArrayList<>();
    for (String line : all.substring(0, end).split("\r\n", -1)) {
      if (line.startsWith(" ") || line.startsWith("\t")) {
        assertThat(names).as("a continuation line first: " + line).isNotEmpty();
        assertThat(line.isBlank()).as("a whitespace-only continuation").isFalse();
        continue;
      }
      assertThat(line).as("a header line").matches("[!-9;-~]+:.*");
      names.add(line.substring(0, line.indexOf(':')));
    }
    return names;
  }

  /** Fields separated by NUL; the last one ({@code count}) is the rest, NULs and all. */
  private static List<byte[]> split(byte[] bytes, int count) {
    List<byte[]> fields = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length && fields.size() < count; i++) {
      if (bytes[i] == 0) {
        fields.add(Arrays.copyOfRange(bytes, start, i));
        start = i + 1;
      }
    }
    fields.add(Arrays.copyOfRange(bytes, start, bytes.length));
    return fields;
  }

  private static String field(List<byte[]> fields, int index) {
    return index < fields.size() ? new String(fields.get(index), StandardCharsets.UTF_8) : "";
  }

  /** Drops what no header field accepts (UnsafeText.inHeader): controls but TAB, DEL, NEL, LS, PS. */
  private static String headerSafe(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().filter(cp -> !(cp < 0x20 && cp != '\t') && cp != 0x7f && cp != 0x85
        && cp != 0x2028 && cp != 0x2029).forEach(out::appendCodePoint);
    return out.toString();
  }

  /** A quoted-string display name, so any text is a syntactically valid name. */
  private static String quotedName(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static byte[] reverse(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }
}
