package dev.postern.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny authoritative DNS server over UDP on 127.0.0.1 for tests: it answers TXT questions from
 * a table (RFC 1035 §4.1 message format, one TXT RR per value) and NXDOMAIN for anything else.
 * Runs on its own thread; no mocks of the gateway's DNS client.
 */
public final class DnsResponder implements AutoCloseable {

  private static final int TYPE_TXT = 16;

  private final DatagramSocket socket;
  private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
  private final Thread thread;

  private DnsResponder(DatagramSocket socket) {
    this.socket = socket;
    this.thread = new Thread(this::serve, "test-dns-responder");
    thread.setDaemon(true);
    thread.start();
  }

  public static DnsResponder start() throws SocketException {
    return new DnsResponder(new DatagramSocket(0, InetAddress.getLoopbackAddress()));
  }

  /** {@code host:port}, as {@code dns.server} takes it. */
  public String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  public void putTxt(String name, String... values) {
    txt.put(name.toLowerCase(Locale.ROOT), List.of(values));
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        byte[] reply = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
        if (reply != null) {
          socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private byte[] answer(ByteBuffer query) {
    if (query.remaining() < 12) {
      return null;
    }
    int id = query.getShort(0) & 0xffff;
    int flags = query.getShort(2) & 0xffff;
    int questions = query.getShort(4) & 0xffff;
    if ((flags & 0x8000) != 0 || questions != 1) {
      return null;
    }
    // Question: QNAME as length-prefixed labels ending in a zero byte, then QTYPE and QCLASS.
    int pos = 12;
    StringBuilder name = new StringBuilder();
    int len;
    while ((len = query.get(pos) & 0xff) != 0) {
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(query.array(), query.arrayOffset() + pos + 1, len, StandardCharsets.US_ASCII));
      pos += 1 + len;
    }
    int questionEnd = pos + 1 + 4;
    int qtype = query.getShort(pos + 1) & 0xffff;
    List<String> values = txt.get(name.toString().toLowerCase(Locale.ROOT));
    boolean found = values != null && qtype == TYPE_TXT;

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeShort(out, id);
    // QR, opcode 0, AA, RD copied, RA; RCODE 0 or 3 (NXDOMAIN)
    writeShort(out, 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | (values == null ? 3 : 0));
    writeShort(out, 1);
    writeShort(out, found ? values.size() : 0);
    writeShort(out, 0);
    writeShort(out, 0);
    out.write(query.array(), query.arrayOffset() + 12, questionEnd - 12);
    if (found) {
      for (String value : values) {
        byte[] text = value.getBytes(StandardCharsets.US_ASCII);
        writeShort(out, 0xc00c); // pointer to the question's name
        writeShort(out, TYPE_TXT);
        writeShort(out, 1); // IN
        writeShort(out, 0);
        writeShort(out, 60); // TTL
        // RDATA: one or more <character-string>s of at most 255 bytes each
        int chunks = Math.max(1, (text.length + 254) / 255);
        writeShort(out, text.length + chunks);
        for (int i = 0; i < chunks; i++) {
          int from = i * 255;
          int n = Math.min(255, text.length - from);
          out.write(n);
          out.write(text, from, n);
        }
      }
    }
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int value) {
    out.write((value >> 8) & 0xff);
    out.write(value & 0xff);
  }

  @Override
  public void close() {
    socket.close();
  }
}
