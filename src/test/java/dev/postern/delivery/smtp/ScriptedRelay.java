package dev.postern.delivery.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake relay over a real TCP socket that plays a fixed script to one client, byte for byte:
 * {@code "> text"} writes {@code text} in one write (so several replies can share one TCP
 * segment), {@code "<"} reads one CRLF-terminated line. After the script it reads whatever the
 * client still sends until the client closes, so a test can see what followed.
 */
final class ScriptedRelay implements AutoCloseable {

  private final ServerSocket server;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream after = new ByteArrayOutputStream();
  private volatile boolean finished;

  private ScriptedRelay(ServerSocket server) {
    this.server = server;
  }

  static ScriptedRelay start(InetAddress bind, String... script) throws IOException {
    ScriptedRelay relay = new ScriptedRelay(new ServerSocket(0, 1, bind));
    Thread thread = new Thread(() -> relay.play(script), "scripted-relay");
    thread.setDaemon(true);
    thread.start();
    return relay;
  }

  int port() {
    return server.getLocalPort();
  }

  /** Lines the client sent while the script ran. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Octets the client sent after the script ended, up to its close. */
  synchronized byte[] afterScript() {
    return after.toByteArray();
  }

  /** The client closed (or the script broke off): every observation is final. */
  boolean finished() {
    return finished;
  }

  private void play(String[] script) {
    try (Socket socket = server.accept()) {
      socket.setSoTimeout(30_000);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      for (String step : script) {
        if (step.startsWith("> ")) {
          out.write(step.substring(2).getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } else {
          String line = readLine(in);
          if (line == null) {
            return;
          }
          lines.add(line);
        }
      }
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        synchronized (this) {
          after.write(buffer, 0, n);
        }
      }
    } catch (IOException e) {
      // a reset by the client ends the session like a close
    } finally {
      finished = true;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
