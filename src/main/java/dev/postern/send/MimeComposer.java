package dev.postern.send;

import dev.postern.send.SendRequest.Attachment;
import dev.postern.send.SendRequest.Header;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Builds the RFC 5322 / MIME message for a {@link SendRequest}. Output is CRLF-only, every line
 * ≤ 998 octets (RFC 5322 §2.1.1; headers folded towards 78), headers 7-bit ASCII (RFC 2047 for
 * the rest). Structure: text → text/plain; html → text/html; both → multipart/alternative, text
 * first (RFC 2046 §5.1.4: richest last); attachments → multipart/mixed of that body and each
 * attachment, base64 at 76 chars per line (RFC 2045 §6.8).
 *
 * <p>Never writes Bcc: those recipients exist only in {@link SendRequest#envelopeRecipients()}.
 * User input only ever becomes header <em>content</em> through {@link HeaderFolder}, and every
 * string in a SendRequest was refused by the parser if it held CR, LF or NUL: no user value can
 * start a header line.
 *
 * <p>Thread-safe if the random generator is. Large messages: call {@link #writeTo} on a worker.
 */
public final class MimeComposer {

  private static final String BOUNDARY_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int LINE = 76;

  private final RandomGenerator random;

  public MimeComposer() {
    this(new SecureRandom());
  }

  public MimeComposer(RandomGenerator random) {
    this.random = random;
  }

  /** The whole message in memory, in one array sized by an estimate (grown if it falls short). */
  public Buffer compose(SendRequest request, MessageStamp stamp) {
    MimeOutput mime = MimeOutput.inMemory((int) Math.min(Integer.MAX_VALUE - 8, estimate(request)));
    try {
      write(request, stamp, mime);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return mime.contents();
  }

  /** The message's size in octets, without keeping it (boundaries have a fixed length). */
  public long measure(SendRequest request, MessageStamp stamp) {
    try {
      return writeTo(request, stamp, OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Streams the message part by part into {@code out} (flushed, not closed); attachment base64
   * is re-wrapped in place, never decoded. Blocking: run on a worker for large messages.
   *
   * @return the number of octets written
   */
  public long writeTo(SendRequest request, MessageStamp stamp, OutputStream out)
      throws IOException {
    return write(request, stamp, new MimeOutput(out));
  }

  private long write(SendRequest request, MessageStamp stamp, MimeOutput mime) throws IOException {
    writeEnvelopeHeaders(request, stamp, mime);
    if (request.attachments().isEmpty()) {
      writeBody(request, mime);
    } else {
      String boundary = boundary();
      mime.ascii(multipart("mixed", boundary));
      mime.crlf();
      mime.ascii("--" + boundary + "\r\n");
      writeBody(request, mime);
      for (Attachment attachment : request.attachments()) {
        mime.ascii("\r\n--" + boundary + "\r\n");
        writeAttachment(attachment, mime);
      }
      mime.ascii("\r\n--" + boundary + "--\r\n");
    }
    mime.flush();
    return mime.written();
  }

  private static void writeEnvelopeHeaders(SendRequest r, MessageStamp stamp, MimeOutput out)
      throws IOException {
    out.ascii(HeaderValues.mailboxes("From", List.of(r.from())));
    if (!r.to().isEmpty()) {
      out.ascii(HeaderValues.mailboxes("To", r.to()));
    }
    if (!r.cc().isEmpty()) {
      out.ascii(HeaderValues.mailboxes("Cc", r.cc()));
    }
    if (!r.replyTo().isEmpty()) {
      out.ascii(HeaderValues.mailboxes("Reply-To", r.replyTo()));
    }
    out.ascii(HeaderValues.unstructured("Subject", r.subject()));
    out.ascii("Date: " + stamp.formattedDate() + "\r\n");
    out.ascii("Message-ID: " + stamp.messageId() + "\r\n");
    if (r.inReplyTo().isPresent()) {
      // RFC 5322 §3.6.4: a reply names its parent in both fields.
      out.ascii("In-Reply-To: " + r.inReplyTo().get() + "\r\n");
      // References: the parent's References, then the parent (folded, one id per line).
      StringBuilder references = new StringBuilder("References:");
      for (String id : r.references()) {
        references.append(' ').append(id).append("\r\n");
      }
      out.ascii(references.append(' ').append(r.inReplyTo().get()).append("\r\n").toString());
    }
    out.ascii("MIME-Version: 1.0\r\n");
    for (Header header : r.headers()) {
      out.ascii(HeaderValues.custom(header.name(), header.value()));
    }
  }

  /** Writes the body entity: its Content-* headers, a blank line, then its content. */
  private void writeBody(SendRequest r, MimeOutput out) throws IOException {
    if (r.text().isPresent() && r.html().isPresent()) {
      String boundary = boundary();
      out.ascii(multipart("alternative", boundary));
      out.crlf();
      out.ascii("--" + boundary + "\r\n");
      writeText("plain", r.text().get(), false, out);
      out.ascii("\r\n--" + boundary + "\r\n");
      writeText("html", r.html().get(), false, out);
      out.ascii("\r\n--" + boundary + "--\r\n");
    } else if (r.html().isPresent()) {
      writeText("html", r.html().get(), r.attachments().isEmpty(), out);
    } else {
      writeText("plain", r.text().orElse(""), r.attachments().isEmpty(), out);
    }
  }

  /**
   * One text part. When it is the whole message ({@code endsMessage}) it ends with CRLF so the
   * message does; inside a multipart the delimiter's leading CRLF ends it (RFC 2046 §5.1.1).
   */
  private static void writeText(String subtype, String text, boolean endsMessage, MimeOutput out)
      throws IOException {
    BodyEncoding encoding = BodyEncoding.choose(text);
    out.ascii("Content-Type: text/" + subtype + "; charset=utf-8\r\n");
    out.ascii("Content-Transfer-Encoding: " + encoding.header + "\r\n");
    out.crlf();
    boolean endedWithBreak = encoding.write(text, out);
    if (endsMessage && !endedWithBreak) {
      out.crlf();
    }
  }

  private static void writeAttachment(Attachment a, MimeOutput out) throws IOException {
    out.ascii(AttachmentHeaders.contentType(a));
    out.ascii(AttachmentHeaders.contentDisposition(a));
    out.ascii("Content-Transfer-Encoding: base64\r\n");
    out.crlf();
    AsciiText base64 = a.base64();
    byte[] octets = base64.array();
    int end = base64.offset() + base64.length();
    for (int start = base64.offset(); start < end; start += LINE) {
      if (start > base64.offset()) {
        out.crlf();
      }
      out.octets(octets, start, Math.min(LINE, end - start));
    }
  }

  private static String multipart(String subtype, String boundary) {
    return "Content-Type: multipart/" + subtype + ";\r\n boundary=\"" + boundary + "\"\r\n";
  }

  /**
   * RFC 2046 §5.1.1: a boundary must not occur in any encapsulated part. It starts with "=_",
   * which quoted-printable and base64 output cannot contain and 7bit is not chosen for text
   * that does (see {@link BodyEncoding#choose}); the random tail keeps nested boundaries apart.
   */
  private String boundary() {
    StringBuilder out = new StringBuilder("=_postern_");
    for (int i = 0; i < 32; i++) {
      out.append(BOUNDARY_CHARS.charAt(random.nextInt(BOUNDARY_CHARS.length())));
    }
    return out.toString();
  }

  private static long estimate(SendRequest r) {
    long size = 4096 + r.text().map(String::length).orElse(0) * 3L / 2
        + r.html().map(String::length).orElse(0) * 3L / 2;
    for (Attachment a : r.attachments()) {
      size += a.base64().length() + a.base64().length() / LINE * 2 + 512;
    }
    return size;
  }
}
