package dev.postern.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that refuses connections for as long as it is held: a socket bound to it
 * (without SO_REUSEADDR) but never listening. Unlike a port that was merely free when asked,
 * no other server, in this JVM or another build's, can start listening on it meanwhile.
 */
public final class ClosedPort implements AutoCloseable {

  private final Socket socket;

  private ClosedPort(Socket socket) {
    this.socket = socket;
  }

  public static ClosedPort hold() {
    Socket socket = new Socket();
    try {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return new ClosedPort(socket);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing was bound
      }
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
