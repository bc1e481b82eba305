package dev.postern.smtp.server;

import dev.postern.smtp.codec.SmtpServerDecoder;
import dev.postern.smtp.session.SmtpSession;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The SMTP server verticle: every configured listener, on this instance's event loop. Several
 * instances share each port (Vert.x balances accepted connections across them).
 */
public final class SmtpServerVerticle extends VerticleBase {

  /** Builds the session for a new connection: the listener's policy over the core's services. */
  @FunctionalInterface
  public interface Sessions {
    SmtpSession create(SmtpListener listener, InetSocketAddress client, boolean tls);
  }

  /** Builds the decoder for a new connection of a listener. */
  @FunctionalInterface
  public interface Decoders {
    SmtpServerDecoder create(SmtpListener listener);
  }

  private final List<SmtpListener> listeners;
  private final SmtpTlsMaterial tls;
  private final SslContext startTls;
  private final Sessions sessions;
  private final Decoders decoders;
  private final ConnectionLimits limits;
  private final SmtpMetrics metrics;
  private final Duration idleTimeout;
  private final Duration sessionTimeout;
  private final Duration shutdownGrace;
  private final List<NetServer> servers = new ArrayList<>();

  /**
   * @param tls the certificate, or null when no listener uses TLS
   * @param startTls the context STARTTLS upgrades use (built once from {@code tls}), or null
   */
  public SmtpServerVerticle(List<SmtpListener> listeners, SmtpTlsMaterial tls, SslContext startTls,
      Sessions sessions,
      Decoders decoders, ConnectionLimits limits, SmtpMetrics metrics, Duration idleTimeout,
      Duration sessionTimeout, Duration shutdownGrace) {
    this.listeners = listeners;
    this.tls = tls;
    this.startTls = startTls;
    this.sessions = sessions;
    this.decoders = decoders;
    this.limits = limits;
    this.metrics = metrics;
    this.idleTimeout = idleTimeout;
    this.sessionTimeout = sessionTimeout;
    this.shutdownGrace = shutdownGrace;
  }

  @Override
  public Future<?> start() {
    List<Future<NetServer>> listening = new ArrayList<>();
    for (SmtpListener listener : listeners) {
      NetServerOptions options = new NetServerOptions().setHost(listener.host())
          .setPort(listener.port()).setTcpNoDelay(true).setReuseAddress(true);
      if (listener.implicitTls()) {
        options.setSsl(true).setKeyCertOptions(tls.keyCert())
            .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(SmtpTlsMaterial.PROTOCOLS));
      }
      NetServer server = vertx.createNetServer(options);
      ListenerSettings settings = new ListenerSettings(listener.name(), idleTimeout, sessionTimeout);
      server.connectHandler(socket -> accept(listener, settings, socket));
      servers.add(server);
      listening.add(server.listen()
          .recover(e -> Future.failedFuture(new IllegalStateException("SMTP " + listener.name()
              + " port " + listener.host() + ":" + listener.port() + ": " + e.getMessage(), e))));
    }
    return Future.all(listening);
  }

  private void accept(SmtpListener listener, ListenerSettings settings, NetSocket socket) {
    InetSocketAddress client = new InetSocketAddress(socket.remoteAddress().hostAddress(),
        socket.remoteAddress().port());
    String address = client.getAddress().getHostAddress();
    String refused = limits.tryOpen(address);
    if (refused != null) {
      metrics.refusedConnection(listener.name(), refused.contains("address") ? "per_address" : "total");
      // RFC 5321 §3.8: a server that cannot serve now answers 421 and closes.
      socket.write("421 4.7.0 " + refused + ", try again later\r\n").onComplete(v -> socket.close());
      return;
    }
    metrics.sessionOpened(listener.name());
    SmtpSession session = sessions.create(listener, client, listener.implicitTls());
    new SmtpConnection(vertx, (NetSocketInternal) socket, session, decoders.create(listener),
        listener.implicitTls() ? null : startTls,
        metrics, settings, () -> {
          limits.release(address);
          metrics.sessionClosed();
        }).start();
  }

  /**
   * Stops accepting; open connections get their shutdown signal (idle ones 421 4.3.2 at once,
   * a DATA in flight finishes) and whatever is still open after the grace period is closed.
   */
  @Override
  public Future<?> stop() {
    List<Future<Void>> stopped = new ArrayList<>();
    for (NetServer server : servers) {
      stopped.add(server.shutdown(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS));
    }
    return Future.join(stopped);
  }
}
