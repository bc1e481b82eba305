package dev.postern.inbound.parse;

/**
 * The caps {@link Mime4jMailParser} enforces itself while it reads, so a hostile message costs
 * bounded time, stack and memory (TESTING.md SMTP 10: released mime4j overflows its stack on
 * multiparts nested 10 000 deep, so nesting is cut off by us before mime4j descends). Hitting any
 * cap sets {@code failed}; each keeps what was read before. The body cap cuts that body and the
 * parse goes on; every other cap stops the parse there.
 *
 * <p>Configuration keys, when wired: {@code inbound.parse.max_depth}, {@code max_parts},
 * {@code max_header_fields}, {@code max_header_bytes}, {@code max_line_bytes},
 * {@code max_body_bytes}, {@code max_attachment_bytes}.
 *
 * @param maxDepth multipart nesting depth (the top-level multipart is depth 1)
 * @param maxParts MIME entities in the message, the message itself included
 * @param maxHeaderFields header fields of one entity (RFC 5322 §2.2)
 * @param maxHeaderBytes raw octets of one entity's header block, folding included
 * @param maxLineBytes one header line, enforced by mime4j ({@code MimeConfig.maxLineLen}; body
 *     lines are streamed, not buffered); RFC 5322 §2.1.1 says 998, the wild sends longer, so the
 *     default is lenient
 * @param maxBodyBytes decoded octets kept of the text body, and separately of the html body
 * @param maxAttachmentBytes decoded octets of all attachments together (decoding base64 or
 *     quoted-printable only shrinks, so this is also bounded by the message size)
 */
public record ParseLimits(int maxDepth, int maxParts, int maxHeaderFields, int maxHeaderBytes,
    int maxLineBytes, int maxBodyBytes, long maxAttachmentBytes) {

  public static final int DEFAULT_MAX_DEPTH = 20;
  public static final int DEFAULT_MAX_PARTS = 500;
  public static final int DEFAULT_MAX_HEADER_FIELDS = 1000;
  public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
  public static final int DEFAULT_MAX_LINE_BYTES = 32 * 1024;
  public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
  /** The default {@code smtp.max_message_bytes}: no attachment total can honestly exceed it. */
  public static final long DEFAULT_MAX_ATTACHMENT_BYTES = 41_943_040L;

  public static final ParseLimits DEFAULTS = new ParseLimits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_PARTS,
      DEFAULT_MAX_HEADER_FIELDS, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_LINE_BYTES,
      DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ATTACHMENT_BYTES);

  public ParseLimits {
    // Depth stays far below what a thread stack survives: mime4j wraps one boundary stream per level.
    requireRange("maxDepth", maxDepth, 1, 200);
    requireRange("maxParts", maxParts, 1, 1_000_000);
    requireRange("maxHeaderFields", maxHeaderFields, 1, 1_000_000);
    requireRange("maxHeaderBytes", maxHeaderBytes, 256, Integer.MAX_VALUE);
    requireRange("maxLineBytes", maxLineBytes, 998, Integer.MAX_VALUE);
    requireRange("maxBodyBytes", maxBodyBytes, 0, Integer.MAX_VALUE - 8);
    if (maxAttachmentBytes < 0) {
      throw new IllegalArgumentException("maxAttachmentBytes must be ≥ 0, was " + maxAttachmentBytes);
    }
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
