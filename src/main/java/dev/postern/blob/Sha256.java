package dev.postern.blob;

import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fresh SHA-256 digests for content hashes (message bodies, idempotency fingerprints): each a
 * clone of an unused prototype — never updated, so clones from several threads are safe —
 * because {@code MessageDigest.getInstance}'s provider lookup per message showed in the MX's
 * profile.
 */
public final class Sha256 {

  private static final MessageDigest PROTOTYPE = newInstance();

  private Sha256() {}

  /** A digest no one else holds. */
  public static MessageDigest fresh() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newInstance();
    }
  }

  public static byte[] of(byte[] bytes) {
    return fresh().digest(bytes);
  }

  /**
   * The digest of a buffer's content, read in place: a heap buffer's own array (the read-only
   * ByteBuffer view has no accessible array, so {@code update(ByteBuffer)} would copy it through
   * a 4 KB scratch array first — 282 KB per message in send-attach).
   */
  public static byte[] of(Buffer content) {
    MessageDigest digest = fresh();
    BufferViews.ArrayRegion region = BufferViews.arrayOf(content);
    if (region != null) {
      digest.update(region.array(), region.offset(), region.length());
    } else {
      digest.update(BufferViews.of(content));
    }
    return digest.digest();
  }

  private static MessageDigest newInstance() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
