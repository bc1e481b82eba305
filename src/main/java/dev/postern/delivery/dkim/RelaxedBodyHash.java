package dev.postern.delivery.dkim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a message body under the "relaxed" body canonicalisation of RFC 6376 §3.4.4, fed
 * in chunks of any size (state carries across chunk boundaries, including a CR at the end of one
 * chunk and its LF at the start of the next):
 * <ul>
 *   <li>whitespace (SP, HTAB) at the end of a line is ignored;
 *   <li>every other run of whitespace within a line becomes one SP;
 *   <li>empty lines at the end of the body are ignored (they are held back until a line with
 *       content follows);
 *   <li>a non-empty body not ending in CRLF gets one; an empty body hashes as the empty string
 *       (RFC 6376 erratum 1384 for relaxed).
 * </ul>
 * A bare LF ends a line as CRLF would: SMTP carries CRLF, so that is the body the receiver sees.
 * A bare CR is content. Not thread-safe; cheap per byte (no allocation per chunk beyond a small
 * output buffer).
 */
final class RelaxedBodyHash {

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte SP = ' ';
  private static final byte HTAB = '\t';

  private final MessageDigest sha256;
  private final byte[] out = new byte[8192];
  private int outLength;
  /** Empty lines seen and not yet hashed: emitted only if a line with content follows. */
  private long heldEmptyLines;
  private boolean lineHasContent;
  private boolean pendingWhitespace;
  private boolean pendingCr;
  private boolean finished;

  RelaxedBodyHash() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 unavailable", impossible);
    }
  }

  void update(byte[] bytes, int offset, int length) {
    if (finished) {
      throw new IllegalStateException("body hash already finished");
    }
    int end = offset + length;
    int i = offset;
    while (i < end) {
      byte b = bytes[i++];
      if (b == LF) {
        pendingCr = false;
        endLine();
        continue;
      }
      if (pendingCr) {
        pendingCr = false;
        content(CR);
      }
      if (b == CR) {
        pendingCr = true;
      } else if (b == SP || b == HTAB) {
        pendingWhitespace = true;
      } else {
        content(b);
        // The octets up to the next CR, LF, SP or HTAB are content as they are: one copy.
        int run = i;
        while (i < end && ordinary(bytes[i])) {
          i++;
        }
        emit(bytes, run, i - run);
      }
    }
  }

  private static boolean ordinary(byte b) {
    return b != CR && b != LF && b != SP && b != HTAB;
  }

  /** The digest of the canonical body; ends the hash. */
  byte[] finish() {
    if (!finished) {
      if (pendingCr) {
        pendingCr = false;
        content(CR);
      }
      if (lineHasContent) {
        // §3.4.4: a non-empty body without a final CRLF gets one.
        emit(CR);
        emit(LF);
      }
      flush();
      finished = true;
    }
    return sha256.digest();
  }

  private void content(byte b) {
    if (!lineHasContent) {
      for (; heldEmptyLines > 0; heldEmptyLines--) {
        emit(CR);
        emit(LF);
      }
      lineHasContent = true;
    }
    if (pendingWhitespace) {
      emit(SP);
      pendingWhitespace = false;
    }
    emit(b);
  }

  private void endLine() {
    pendingWhitespace = false; // trailing whitespace is dropped
    if (lineHasContent) {
      emit(CR);
      emit(LF);
      lineHasContent = false;
    } else {
      heldEmptyLines++;
    }
  }

  private void emit(byte b) {
    if (outLength == out.length) {
      flush();
    }
    out[outLength++] = b;
  }

  private void emit(byte[] bytes, int from, int length) {
    if (length > out.length - outLength) {
      flush();
      if (length > out.length) {
        sha256.update(bytes, from, length);
        return;
      }
    }
    System.arraycopy(bytes, from, out, outLength, length);
    outLength += length;
  }

  private void flush() {
    sha256.update(out, 0, outLength);
    outLength = 0;
  }
}
