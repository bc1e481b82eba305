package dev.postern.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP port free on 127.0.0.1 at the time of asking, and never one this JVM handed out before:
 * the kernel may give a just-closed port to the next {@code bind(0)}, so two asks in a row (a
 * test's PostgreSQL, then its gateway's listener) could otherwise get the same number, and a
 * client of one would talk to the other.
 */
public final class FreePort {

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePort() {}

  public static int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ask();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no fresh free port after 100 asks");
  }

  private static int ask() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
