package dev.postern.smtp;

import dev.postern.support.Eventually;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client that pipelines commands (RFC 2920) and reads none of the replies: it writes until the
 * server, whose replies cannot go out, stops reading and its own writes stall.
 */
final class UnreadPipelining {

  private UnreadPipelining() {
  }

  /** {@code count} NOOP lines: far beyond what the sockets absorb when count is in the millions. */
  static ByteBuffer noops(int count) {
    return ByteBuffer.wrap("NOOP\r\n".repeat(count).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Writes {@code commands} on the (non-blocking) channel until no byte has gone for
   * {@code stall}; fails if they all went (the server read them all and buffered the replies),
   * if the server closed the connection, or if no stall came within 30 s.
   */
  static void writeUntilStalled(SocketChannel channel, ByteBuffer commands, Duration stall) {
    long[] lastProgress = {System.nanoTime()};
    Eventually.until(Duration.ofSeconds(30), () -> {
      int written = write(channel, commands);
      if (!commands.hasRemaining()) {
        throw new AssertionError("the client wrote all " + commands.limit()
            + " octets without reading a reply: the server read them all and buffered the replies");
      }
      if (written > 0) {
        lastProgress[0] = System.nanoTime();
      }
      return System.nanoTime() - lastProgress[0] > stall.toNanos();
    }, () -> "the client's writes never stalled; written " + commands.position() + " octets");
  }

  private static int write(SocketChannel channel, ByteBuffer bytes) {
    try {
      return channel.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("the server closed the connection", e);
    }
  }
}
