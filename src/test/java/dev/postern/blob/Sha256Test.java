package dev.postern.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Sha256#of(Buffer)} digests exactly the buffer's bytes, however the buffer is held. */
class Sha256Test {

  private static byte[] expected(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  @Test
  void digestsHeapBuffersSlicesAndDirectBuffersAlike() throws Exception {
    byte[] bytes = new byte[300_001];
    new Random(3).nextBytes(bytes);
    assertThat(Sha256.of(Buffer.buffer(bytes))).isEqualTo(expected(bytes));
    // A region in the middle of a larger array: only its own bytes count.
    Buffer slice = Buffer.buffer(bytes).slice(17, 250_017);
    assertThat(Sha256.of(slice)).isEqualTo(expected(Arrays.copyOfRange(bytes, 17, 250_017)));
    Buffer direct = BufferInternal.buffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
    assertThat(Sha256.of(direct)).isEqualTo(expected(bytes));
    ((BufferInternal) direct).getByteBuf().release();
    assertThat(Sha256.of(Buffer.buffer())).isEqualTo(expected(new byte[0]));
  }
}
