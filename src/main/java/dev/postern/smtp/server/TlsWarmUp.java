package dev.postern.smtp.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One TLS handshake in memory at start-up, on a worker thread: the first handshake of a JVM loads
 * and initialises the JSSE and key-exchange classes, which under load took seconds — on the
 * event loop of the first client's connection, had it happened there.
 */
final class TlsWarmUp {

  private TlsWarmUp() {}

  /** Blocking; failures are ignored (the warm-up is an optimisation, not a check). */
  static void handshake(SslContext server) {
    try {
      SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);
      SSLContext trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, new TrustManager[] {new AcceptAny()}, null);
      SSLEngine client = trustAll.createSSLEngine("localhost", 0);
      client.setUseClientMode(true);
      run(client, serverEngine);
    } catch (Exception | AssertionError e) {
      // Not warmed: the first client pays the initialisation instead.
    }
  }

  private static void run(SSLEngine client, SSLEngine server) throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
    ByteBuffer toServer = ByteBuffer.allocate(size * 4);
    ByteBuffer toClient = ByteBuffer.allocate(size * 4);
    ByteBuffer appIn = ByteBuffer.allocate(size * 4);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int step = 0; step < 100 && !(done(client) && done(server)); step++) {
      client.wrap(empty, toServer);
      toServer.flip();
      server.unwrap(toServer, appIn);
      toServer.compact();
      runTasks(server);
      server.wrap(empty, toClient);
      toClient.flip();
      client.unwrap(toClient, appIn);
      toClient.compact();
      runTasks(client);
      appIn.clear();
    }
  }

  private static boolean done(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.FINISHED || status == HandshakeStatus.NOT_HANDSHAKING;
  }

  private static void runTasks(SSLEngine engine) {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  /** Only for the in-memory warm-up handshake with our own server engine. */
  private static final class AcceptAny implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
