package dev.postern.ratelimit.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A "Redis" that accepts connections and never answers: the hung-server fault (TESTING.md). */
final class StalledServer implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  StalledServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptForever, "stalled-redis");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  private void acceptForever() {
    try {
      while (true) {
        accepted.add(server.accept()); // held open, never read, never written
      }
    } catch (IOException closed) {
      // close() ends the loop
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }
}
