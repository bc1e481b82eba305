package dev.postern.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client that pipelines requests (SMTP commands, RFC 2920; HTTP/1.1 requests, RFC 9112 §9.3.2)
 * and reads none of the replies: it writes until the server, whose replies cannot go out, stops
 * reading and its own writes stall.
 */
public final class UnreadPipelining {

  private UnreadPipelining() {
  }

  /**
   * A non-blocking connection to 127.0.0.1:{@code port} with a tiny receive window (the server's
   * replies pile up on its side, not in our kernel) and a small send buffer.
   */
  public static SocketChannel connect(int port) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
      channel.connect(new InetSocketAddress("127.0.0.1", port));
      channel.configureBlocking(false);
      return channel;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * {@code request} {@code count} times: far beyond what the sockets absorb when the total is
   * tens of megabytes.
   */
  public static ByteBuffer repeated(String request, int count) {
    return ByteBuffer.wrap(request.repeat(count).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Writes {@code commands} on the (non-blocking) channel until no byte has gone for
   * {@code stall}; fails if they all went (the server read them all and buffered the replies),
   * if the server closed the connection, or if no stall came within 30 s.
   */
  public static void writeUntilStalled(SocketChannel channel, ByteBuffer commands, Duration stall) {
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

  /**
   * Waits, writing the rest of {@code commands} now and then, until the server has dropped the
   * connection (a write fails: the server's RST, or a reset after its FIN), without reading a
   * byte, so nothing the client does gives the server progress to count as activity.
   *
   * @return how long the server took to drop it
   */
  public static Duration awaitDropped(SocketChannel channel, ByteBuffer commands, Duration within) {
    long start = System.nanoTime();
    Eventually.until(within, () -> {
      try {
        channel.write(commands);
        return false;
      } catch (IOException dropped) {
        return true;
      }
    }, () -> "the server has not dropped the stalled connection");
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static int write(SocketChannel channel, ByteBuffer bytes) {
    try {
      return channel.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("the server closed the connection", e);
    }
  }
}
