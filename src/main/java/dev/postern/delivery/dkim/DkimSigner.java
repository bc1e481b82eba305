package dev.postern.delivery.dkim;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * DKIM signing (RFC 6376) of outbound mail: {@code c=relaxed/relaxed}, {@code a=rsa-sha256} or
 * {@code a=ed25519-sha256} (RFC 8463). The result is one complete {@code DKIM-Signature} header
 * field, folded and CRLF-terminated, which the caller PREPENDS to the message exactly as stored.
 *
 * <p>Streaming: {@link #session(DkimKey)} returns a {@link Session} that takes the message in
 * chunks of any size. The header section is kept (bounded by {@link #MAX_HEADER_BYTES}) and the
 * body is hashed incrementally; nothing else of the message is retained.
 *
 * <p>Threads: all of it is CPU work for a worker pool ({@code postern-dkim}), never an event
 * loop. Measured by {@code DkimSigningCost} (bench/README.md): {@link Session#update} costs about
 * 4 µs of CPU per KB of body (relaxed canonicalisation and SHA-256), {@link
 * Session#signatureHeader()} one private-key operation, done by {@link SigningProviders}.
 */
public final class DkimSigner {

  /** A header section larger than this is refused rather than buffered. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  /**
   * Signed when present (RFC 6376 §5.4.1 recommends these). From is required (§5.4) and is
   * over-signed (§8.15) so that a second From added in transit breaks the signature.
   */
  static final List<String> SIGNED_HEADERS = List.of("from", "to", "cc", "subject", "date",
      "message-id", "reply-to", "in-reply-to", "references", "mime-version", "content-type",
      "content-transfer-encoding");
  static final List<String> OVER_SIGNED = List.of("from");

  private static final int LINE_WIDTH = 76;

  private final Clock clock;

  public DkimSigner(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A streaming signing session for one message. */
  public Session session(DkimKey key) {
    return new Session(Objects.requireNonNull(key, "key"));
  }

  /** Signs a whole message held in memory. CPU work: run on a worker pool. */
  public Buffer signatureHeader(Buffer wholeMessage, DkimKey key) {
    Session session = session(key);
    session.update(wholeMessage);
    return session.signatureHeader();
  }

  /** One message being signed: feed it with {@link #update}, then take the header. */
  public final class Session {

    private final DkimKey key;
    private final RelaxedBodyHash body = new RelaxedBodyHash();
    private byte[] header = new byte[4096];
    private int headerLength;
    private boolean inBody;
    private HeaderBlock headers;
    private Buffer result;

    private Session(DkimKey key) {
      this.key = key;
    }

    /** Feeds the next chunk of the message as stored (CRLF line ends). About 4 µs per KB. */
    public Session update(Buffer chunk) {
      byte[] bytes = chunk.getBytes();
      return update(bytes, 0, bytes.length);
    }

    public Session update(byte[] bytes, int offset, int length) {
      if (result != null) {
        throw new IllegalStateException("session already signed");
      }
      int i = offset;
      int end = offset + length;
      while (!inBody && i < end) {
        appendHeaderByte(bytes[i++]);
      }
      if (i < end) {
        body.update(bytes, i, end - i);
      }
      return this;
    }

    /** The header section ends at the first empty line (RFC 5322 §2.1): LF then (CR)LF. */
    private void appendHeaderByte(byte b) {
      if (headerLength == MAX_HEADER_BYTES) {
        throw new DkimException("header section exceeds " + MAX_HEADER_BYTES + " bytes");
      }
      if (headerLength == header.length) {
        header = java.util.Arrays.copyOf(header, Math.min(MAX_HEADER_BYTES, header.length * 2));
      }
      header[headerLength++] = b;
      if (b != '\n') {
        return;
      }
      boolean emptyLine = headerLength == 1 || (headerLength == 2 && header[0] == '\r')
          || header[headerLength - 2] == '\n'
          || (headerLength >= 3 && header[headerLength - 2] == '\r' && header[headerLength - 3] == '\n');
      if (emptyLine) {
        inBody = true;
      }
    }

    /**
     * The complete {@code DKIM-Signature: …\r\n} field to prepend. Ends the session; a second
     * call returns the same header. CPU work (private-key signature): run on a worker pool.
     *
     * @throws DkimException if the message has no From field (RFC 6376 §5.4)
     */
    public Buffer signatureHeader() {
      if (result != null) {
        return result;
      }
      // A message without an empty line is all header section and an empty body.
      headers = HeaderBlock.parse(header, headerLength);
      if (!headers.has("from")) {
        throw new DkimException("message has no From header field; DKIM requires it");
      }
      header = null;
      HeaderBlock.Selection selection = headers.select(SIGNED_HEADERS, OVER_SIGNED);
      String bodyHash = Base64.getEncoder().encodeToString(body.finish());
      String unsigned = tags(selection.names(), bodyHash);
      StringBuilder data = new StringBuilder();
      for (String field : selection.relaxedFields()) {
        data.append(field).append("\r\n");
      }
      // §3.7: the DKIM-Signature field itself, relaxed, b= empty, no trailing CRLF.
      data.append("dkim-signature:")
          .append(HeaderBlock.relaxValue(unsigned.substring(unsigned.indexOf(':') + 1)));
      String b = Base64.getEncoder().encodeToString(
          sign(data.toString().getBytes(StandardCharsets.ISO_8859_1)));
      result = Buffer.buffer(unsigned + foldBase64(b, lastLineLength(unsigned)) + "\r\n", "ISO-8859-1");
      return result;
    }

    /** {@link #signatureHeader()} on the given worker pool (never an event loop). */
    public Future<Buffer> signatureHeader(WorkerExecutor pool) {
      return pool.executeBlocking(this::signatureHeader, false);
    }

    /** The field up to and including {@code b=}, folded; b= is last so its value can be cut. */
    private String tags(List<String> names, String bodyHash) {
      Folder f = new Folder("DKIM-Signature:".length());
      f.tag("v=1;").tag("a=" + key.algorithm().tag() + ";").tag("c=relaxed/relaxed;")
          .tag("d=" + key.domain() + ";").tag("s=" + key.selector() + ";")
          .tag("t=" + clock.instant().getEpochSecond() + ";");
      f.list("h=", names, ":", ";");
      f.tag("bh=" + bodyHash + ";");
      f.tag("b=");
      return "DKIM-Signature:" + f;
    }

    private byte[] sign(byte[] data) {
      try {
        Signature signature = SigningProviders.signature(key.algorithm());
        signature.initSign(key.privateKey());
        if (key.algorithm() == DkimAlgorithm.ED25519_SHA256) {
          // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data.
          signature.update(MessageDigest.getInstance("SHA-256").digest(data));
        } else {
          signature.update(data);
        }
        return signature.sign();
      } catch (GeneralSecurityException e) {
        throw new DkimException("signing with " + key + " failed: " + e.getClass().getSimpleName());
      }
    }
  }

  private static int lastLineLength(String s) {
    int lf = s.lastIndexOf('\n');
    return lf < 0 ? s.length() : s.length() - lf - 1;
  }

  /** Base64 cut into lines of at most {@link #LINE_WIDTH} columns (FWS is allowed in b=, §3.5). */
  private static String foldBase64(String b64, int column) {
    StringBuilder out = new StringBuilder(b64.length() + b64.length() / 60 * 3);
    int room = Math.max(8, LINE_WIDTH - column);
    int i = 0;
    while (i < b64.length()) {
      int n = Math.min(room, b64.length() - i);
      out.append(b64, i, i + n);
      i += n;
      if (i < b64.length()) {
        out.append("\r\n ");
        room = LINE_WIDTH - 1;
      }
    }
    return out.toString();
  }

  /** Joins tags with SP, starting a continuation line (CRLF SP) before one that would not fit. */
  private static final class Folder {
    private final StringBuilder out = new StringBuilder();
    private int column;

    Folder(int column) {
      this.column = column;
    }

    Folder tag(String tag) {
      if (column + 1 + tag.length() > LINE_WIDTH && column > 1) {
        out.append("\r\n");
        column = 0;
      }
      out.append(' ').append(tag);
      column += 1 + tag.length();
      return this;
    }

    /** A list tag folded between items; FWS may surround each ":" of h= (§3.5). */
    Folder list(String name, List<String> items, String separator, String end) {
      for (int i = 0; i < items.size(); i++) {
        String piece = (i == 0 ? name : "") + items.get(i)
            + (i == items.size() - 1 ? end : separator);
        if (i == 0) {
          tag(piece);
        } else {
          if (column + piece.length() > LINE_WIDTH) {
            out.append("\r\n ");
            column = 1;
          }
          out.append(piece);
          column += piece.length();
        }
      }
      return this;
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
