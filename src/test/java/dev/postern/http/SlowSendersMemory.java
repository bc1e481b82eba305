package dev.postern.http;

import dev.postern.support.TestGateway;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Issue #15 item 1, measured: how much memory a real gateway on 127.0.0.1 holds while 200
 * unauthenticated clients each declare a 40 MiB body and send it slowly. Not a test (no assertion,
 * not run by the suite); run it with {@code scripts/slow-senders-memory.sh}. It stops by itself:
 * each client sends {@code PER_SENDER} bytes in {@code CHUNK} pieces once a second, then every
 * socket is held open while the gateway's heap (after a full GC) and RSS are read.
 */
public final class SlowSendersMemory {

  private static final int SENDERS = Integer.getInteger("senders", 200);
  private static final int CHUNK = 512 * 1024;
  private static final long PER_SENDER = Long.getLong("perSenderBytes", 4L * 1024 * 1024);
  private static final long DECLARED = 40L * 1024 * 1024;

  private SlowSendersMemory() {}

  public static void main(String[] args) throws Exception {
    try (TestGateway gateway = TestGateway.start(Map.of())) {
      int port = gateway.config().http().port();
      long[] baseline = memory();
      List<SocketChannel> sockets = new ArrayList<>();
      long[] sent = new long[SENDERS];
      boolean[] closed = new boolean[SENDERS];
      String head = "POST /v1/emails HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer pst_live_" + "0".repeat(48) + "\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + DECLARED + "\r\n\r\n";
      for (int i = 0; i < SENDERS; i++) {
        SocketChannel socket;
        try {
          socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
          socket.configureBlocking(false);
          socket.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.io.IOException e) {
          socket = null;
          closed[i] = true;
        }
        sockets.add(socket);
      }
      byte[] chunk = new byte[CHUNK];
      java.util.Arrays.fill(chunk, (byte) 'a');
      long start = System.nanoTime();
      int rounds = (int) (PER_SENDER / CHUNK);
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < SENDERS; i++) {
          if (closed[i]) {
            continue;
          }
          try {
            // Non-blocking: a gateway that stopped reading leaves the bytes in our buffer.
            sent[i] += sockets.get(i).write(ByteBuffer.wrap(chunk));
          } catch (java.io.IOException e) {
            closed[i] = true;
          }
        }
        Thread.sleep(1_000); // a slow sender's pace, not a wait for a condition
      }
      Thread.sleep(3_000);
      long[] held = memory();
      long totalSent = 0;
      int open = 0;
      int answered = 0;
      ByteBuffer in = ByteBuffer.allocate(4096);
      for (int i = 0; i < SENDERS; i++) {
        totalSent += sent[i];
        SocketChannel socket = sockets.get(i);
        if (socket == null) {
          continue;
        }
        try {
          in.clear();
          int n = socket.read(in);
          if (n > 0) {
            answered++;
          }
          if (n >= 0 && !closed[i]) {
            open++;
          }
        } catch (java.io.IOException e) {
          // reset by the gateway: counted as not open
        }
        socket.close();
      }
      System.out.printf("slow senders: %d, each declaring %d bytes; bytes accepted by the kernel: %d MiB "
              + "in %.1f s; still open: %d; answered: %d%n", SENDERS, DECLARED, totalSent >> 20,
          (System.nanoTime() - start) / 1e9, open, answered);
      System.out.printf("gateway heap after GC: baseline %d MiB, while held %d MiB (+%d MiB); "
              + "RSS baseline %d MiB, while held %d MiB (+%d MiB)%n", baseline[0] >> 20, held[0] >> 20,
          (held[0] - baseline[0]) >> 20, baseline[1] >> 20, held[1] >> 20, (held[1] - baseline[1]) >> 20);
    }
  }

  /** {heap used after a full GC, resident set size} in bytes. */
  private static long[] memory() throws Exception {
    System.gc();
    Thread.sleep(200);
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return new long[] {heap, rss};
  }
}
