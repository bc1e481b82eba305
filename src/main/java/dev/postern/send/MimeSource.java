package dev.postern.send;

import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;

/**
 * Where a submission's MIME comes from: composed by the core from a REST body, or streamed — an
 * already-formed RFC 5322 message arriving over SMTP DATA, stored as it arrives (inline under
 * {@link SubmissionService#INLINE_LIMIT}, else straight into the blob store, never held whole).
 */
public sealed interface MimeSource {

  /** Composed by the core from a REST body (Message-ID and Date stamped at accept). */
  record Composed(SendRequest request) implements MimeSource {}

  /**
   * A received message (SMTP DATA after dot-unstuffing, CRLF line endings), made by
   * {@link StreamedMessages}: its header block already rewritten, the rest still arriving.
   *
   * @param head the header block as stored (see {@link StreamedMessages})
   * @param body the message from the empty line after the header block on, untouched; paused
   * @param receivedSha256 the digest of the received octets so far (the header block as
   *     received); the body is added to it as it is stored, for resend detection
   * @param messageId the Message-ID the stored message carries
   * @param senderMessageId whether the sender chose that Message-ID (then a resend of the same
   *     octets is recognised, RFC 5321 §4.1.1.4), or we added it
   */
  record Streamed(Buffer head, ReceivedMessageStream body, MessageDigest receivedSha256,
      String messageId, boolean senderMessageId) implements MimeSource {}
}
