package dev.postern.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A raw SMTP client for tests that must control every byte (hostile input, pipelining, bare LF),
 * where a well-behaved library would refuse to send what the test needs. Blocking, with a read
 * deadline on every reply so a test can never hang.
 */
public final class SmtpWire implements AutoCloseable {

  /** One reply: its code and its lines without the code prefix. */
  public record Reply(int code, List<String> lines) {
    public String text() {
      return String.join("\n", lines);
    }

    @Override
    public String toString() {
      return code + " " + text();
    }
  }

  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final String host;
  private final int port;
  private final SSLContext tls;

  private SmtpWire(Socket socket, String host, int port, SSLContext tls) throws IOException {
    this.socket = socket;
    this.host = host;
    this.port = port;
    this.tls = tls;
    socket.setSoTimeout(10_000);
    // Buffered: floods read 100 000 replies; the server sends nothing between a 220 to
    // STARTTLS and the handshake, so nothing buffered is lost when the socket is wrapped.
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A plaintext connection (the greeting is not read). */
  public static SmtpWire connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return new SmtpWire(socket, "127.0.0.1", port, null);
  }

  /** A plaintext connection from a chosen local address (e.g. 127.0.0.2, an unmapped LAN client). */
  public static SmtpWire connectFrom(String localAddress, int port) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(localAddress, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return new SmtpWire(socket, "127.0.0.1", port, null);
  }

  /** A connection that trusts {@code certPem} for STARTTLS or implicit TLS. */
  public static SmtpWire connect(int port, Path certPem, boolean implicitTls) throws IOException {
    SSLContext context = trusting(certPem);
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    if (!implicitTls) {
      return new SmtpWire(plain, "127.0.0.1", port, context);
    }
    SSLSocket secure = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
    secure.startHandshake();
    return new SmtpWire(secure, "127.0.0.1", port, context);
  }

  /** An SSL context that trusts exactly the given PEM certificate. */
  public static SSLContext trusting(Path certPem) {
    try {
      X509Certificate cert;
      try (InputStream pem = Files.newInputStream(certPem)) {
        cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("postern", cert);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot trust " + certPem, e);
    }
  }

  /** Writes the bytes exactly as given (no CRLF added). */
  public SmtpWire send(String raw) throws IOException {
    return send(raw.getBytes(StandardCharsets.UTF_8));
  }

  public SmtpWire send(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
    return this;
  }

  /** Sends one command line with CRLF and reads its reply. */
  public Reply command(String line) throws IOException {
    send(line + "\r\n");
    return reply();
  }

  /** Reads one (possibly multi-line, RFC 5321 §4.2.1) reply, failing after the read deadline. */
  public Reply reply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = line();
      if (line == null) {
        throw new IOException("connection closed before a reply" + (lines.isEmpty() ? "" : " ended: " + lines));
      }
      if (line.length() < 3) {
        throw new IOException("not a reply line: " + line);
      }
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (line.length() == 3 || line.charAt(3) == ' ') {
        return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
      }
    }
  }

  /** True once the server has closed the connection (reads to end of stream, within the deadline). */
  public boolean closedByServer() throws IOException {
    try {
      while (true) {
        int b = in.read();
        if (b < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  /** Upgrades this connection after a 220 to STARTTLS. */
  public void upgradeToTls() throws IOException {
    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", port, true);
    secure.startHandshake();
    secure.setSoTimeout(10_000);
    socket = secure;
    in = new BufferedInputStream(secure.getInputStream());
    out = secure.getOutputStream();
  }

  /** EHLO, STARTTLS, EHLO again, AUTH PLAIN with the key; returns the AUTH reply. */
  public Reply startTlsAndLogin(String key) throws IOException {
    command("EHLO test.example");
    Reply ready = command("STARTTLS");
    if (ready.code() != 220) {
      return ready;
    }
    upgradeToTls();
    command("EHLO test.example");
    return authPlain("postern", key);
  }

  public Reply authPlain(String user, String password) throws IOException {
    String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
        .getBytes(StandardCharsets.UTF_8));
    return command("AUTH PLAIN " + token);
  }

  public void setReadTimeoutMillis(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  private String line() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.UTF_8);
      }
      if (b == '\n' && previous == '\r') {
        byte[] bytes = buffer.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      buffer.write(b);
      previous = b;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
