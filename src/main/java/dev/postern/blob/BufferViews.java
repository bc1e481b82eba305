package dev.postern.blob;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * A Vert.x {@link Buffer}'s bytes as a read-only {@link ByteBuffer} over the same memory, for
 * channel writes and digests: {@code Buffer.getBytes()} copies the whole content, which for a
 * 280 KB message was two extra copies per blob write in send-attach's profile (session 12).
 * The view is valid while the buffer is not changed; callers own the buffer by then.
 */
public final class BufferViews {

  private BufferViews() {}

  /** A heap buffer's backing array and the region of it that holds the buffer's bytes. */
  public record ArrayRegion(byte[] array, int offset, int length) {}

  /**
   * The buffer's bytes in place, when it is backed by one heap array (a body read by the HTTP
   * edge is); null otherwise (direct or composite memory): then copy.
   */
  public static ArrayRegion arrayOf(Buffer buffer) {
    if (buffer instanceof BufferInternal internal) {
      ByteBuf bytes = internal.getByteBuf();
      if (bytes.hasArray()) {
        return new ArrayRegion(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(),
            bytes.readableBytes());
      }
    }
    return null;
  }

  public static ByteBuffer of(Buffer buffer) {
    if (buffer instanceof BufferInternal internal) {
      return internal.getByteBuf().nioBuffer().asReadOnlyBuffer();
    }
    return ByteBuffer.wrap(buffer.getBytes()).asReadOnlyBuffer();
  }
}
