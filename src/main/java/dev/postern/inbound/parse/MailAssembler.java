package dev.postern.inbound.parse;

import dev.postern.inbound.parse.Mime4jMailParser.CapReached;
import dev.postern.inbound.parse.ParsedMail.HeaderField;
import dev.postern.inbound.parse.ParsedMail.MailAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.stream.BodyDescriptor;

/**
 * Builds a {@link ParsedMail} from the tokens of one parse. The top-level header block gives the
 * envelope-ish fields; each leaf part becomes the text body (the first text/plain leaf that is not
 * an attachment: no {@code attachment} disposition and no file name), the html body (likewise for
 * text/html) or an attachment. This reads multipart/alternative right — its text/plain comes
 * before its text/html (RFC 2046 §5.1.4) — also when nested in mixed or related, and an inline
 * image of a related part, whatever its place, is an attachment with its Content-ID.
 */
final class MailAssembler {

  private static final int CHUNK = 8192;

  private final ParseLimits limits;
  private final Problems problems;

  private final List<HeaderField> headers = new ArrayList<>();
  private final List<ParsedAttachment> attachments = new ArrayList<>();
  private final List<MailAddress> to = new ArrayList<>();
  private final List<MailAddress> cc = new ArrayList<>();
  private final List<MailAddress> replyTo = new ArrayList<>();
  private Optional<String> messageId = Optional.empty();
  private Optional<String> inReplyTo = Optional.empty();
  private List<String> references = List.of();
  private Optional<MailAddress> from = Optional.empty();
  private String subject;
  private String dateValue;
  private String text;
  private String html;
  private long attachmentBytes;

  private boolean inTopLevelHeader = true;
  private String contentType;
  private String contentDisposition;
  private String contentId;

  MailAssembler(ParseLimits limits, Problems problems) {
    this.limits = limits;
    this.problems = problems;
  }

  void startPart() {
    inTopLevelHeader = false;
    contentType = null;
    contentDisposition = null;
    contentId = null;
  }

  /** One header field's raw octets, folding included, without the final CRLF. */
  void field(byte[] raw) {
    String decoded = TextDecoding.decodeUnlabelled(raw, raw.length);
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return;
    }
    String name = decoded.substring(0, colon).trim();
    String value = unfold(decoded.substring(colon + 1)).trim();
    String key = name.toLowerCase(Locale.ROOT);
    switch (key) {
      case "content-type" -> contentType = contentType == null ? value : contentType;
      case "content-disposition" ->
          contentDisposition = contentDisposition == null ? value : contentDisposition;
      case "content-id" -> contentId = contentId == null ? value : contentId;
      default -> { }
    }
    if (inTopLevelHeader) {
      headers.add(new HeaderField(name, EncodedWords.decode(value)));
      topLevel(key, value);
    }
  }

  /** The fields RFC 5322 §3.6 gives a meaning; a repeated single field keeps its first value. */
  private void topLevel(String key, String value) {
    switch (key) {
      case "message-id" -> messageId = messageId.or(() -> MessageIds.first(value));
      case "in-reply-to" -> inReplyTo = inReplyTo.or(() -> MessageIds.first(value));
      case "references" -> references = references.isEmpty() ? MessageIds.all(value) : references;
      case "from" -> from = from.or(() -> AddressLists.parse(value).stream().findFirst());
      case "to" -> to.addAll(AddressLists.parse(value));
      case "cc" -> cc.addAll(AddressLists.parse(value));
      case "reply-to" -> replyTo.addAll(AddressLists.parse(value));
      case "subject" -> subject = subject == null ? EncodedWords.decode(value) : subject;
      case "date" -> dateValue = dateValue == null ? value : dateValue;
      default -> { }
    }
  }

  /** RFC 5322 §2.2.3: unfolding removes each CRLF that precedes white space (bare LF too). */
  static String unfold(String value) {
    return value.replaceAll("\\r?\\n(?=[ \\t])", "").replaceAll("[\\r\\n]", "");
  }

  void body(BodyDescriptor descriptor, InputStream decoded) throws IOException {
    inTopLevelHeader = false;
    String type = descriptor.getMimeType() == null ? "application/octet-stream"
        : descriptor.getMimeType().toLowerCase(Locale.ROOT);
    MimeParameters typeParams = MimeParameters.parse(contentType);
    MimeParameters disposition = MimeParameters.parse(contentDisposition);
    Optional<String> filename = disposition.get("filename").or(() -> typeParams.get("name"));
    boolean attachmentDisposition = disposition.value().equals("attachment");
    boolean bodyCandidate = !attachmentDisposition && filename.isEmpty();
    String charset = typeParams.get("charset").orElse(null);
    if (bodyCandidate && text == null && type.equals("text/plain")) {
      text = readText(decoded, charset, "text");
    } else if (bodyCandidate && html == null && type.equals("text/html")) {
      html = readText(decoded, charset, "html");
    } else {
      attach(decoded, type, filename, disposition.value(), MessageIds.first(contentId));
    }
  }

  private String readText(InputStream in, String charset, String which) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    boolean whole;
    try {
      whole = copyAtMost(in, kept, limits.maxBodyBytes());
    } catch (IOException e) {
      problems.fail("the " + which + " body was cut short: " + Mime4jMailParser.describe(e));
      keepPartial(which, kept.toByteArray(), charset);
      throw e;
    }
    if (!whole) {
      problems.fail("the " + which + " body is longer than " + limits.maxBodyBytes()
          + " bytes: the first " + limits.maxBodyBytes() + " were kept");
    }
    byte[] octets = kept.toByteArray();
    return TextDecoding.decode(octets, octets.length, charset, problems);
  }

  private void keepPartial(String which, byte[] octets, String charset) {
    String partial = TextDecoding.decode(octets, octets.length, charset, problems);
    if (which.equals("text")) {
      text = partial;
    } else {
      html = partial;
    }
  }

  private void attach(InputStream in, String type, Optional<String> filename, String disposition,
      Optional<String> cid) throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    long budget = limits.maxAttachmentBytes() - attachmentBytes;
    if (!copyAtMost(in, content, budget)) {
      problems.fail("attachments larger than " + limits.maxAttachmentBytes()
          + " bytes in total: the rest was not parsed");
      throw new CapReached();
    }
    attachmentBytes += content.size();
    String kind = disposition.equals("inline") || (disposition.isEmpty() && cid.isPresent())
        ? "inline" : "attachment"; // RFC 2183 §2.8: an unknown disposition is an attachment
    String name = SafeFilename.of(filename.orElse(null), type, attachments.size() + 1);
    attachments.add(new ParsedAttachment(name, type, kind, cid, content.toByteArray()));
  }

  /** Copies at most {@code max} octets; false when the stream had more (and stops reading). */
  private static boolean copyAtMost(InputStream in, ByteArrayOutputStream out, long max)
      throws IOException {
    byte[] buffer = new byte[CHUNK];
    long left = max;
    while (true) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left + 1));
      if (n < 0) {
        return true;
      }
      if (n > left) {
        out.write(buffer, 0, (int) left);
        return false;
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  ParsedMail build() {
    return new ParsedMail(messageId, inReplyTo, references, from, List.copyOf(to), List.copyOf(cc),
        List.copyOf(replyTo), subject == null ? "" : subject, MailDates.parse(dateValue),
        List.copyOf(headers), Optional.ofNullable(text), Optional.ofNullable(html),
        List.copyOf(attachments), problems.failed(), problems.list());
  }
}
