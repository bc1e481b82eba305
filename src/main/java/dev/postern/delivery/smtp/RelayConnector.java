package dev.postern.delivery.smtp;

import dev.postern.config.PosternConfig.Relay;
import dev.postern.config.PosternConfig.RelayTls;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opens a ready-to-use connection to one relay: TCP (or implicit TLS), greeting, EHLO,
 * STARTTLS and EHLO again when the relay is configured for it, then AUTH when credentials are
 * configured. Credentials never travel in the clear unless the relay is on the loopback — judged
 * by the address the connection actually reached, not by the configured name (issue #15 item 8:
 * a name such as {@code localhost} or {@code 127.example.net} may resolve anywhere).
 */
public final class RelayConnector {

  private final Vertx vertx;
  private final NetClient client;
  private final ClientSSLOptions ssl;
  private final String heloName;
  private final long replyTimeoutMs;

  public RelayConnector(Vertx vertx, NetClient client, ClientSSLOptions ssl, String heloName,
      long replyTimeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.ssl = ssl;
    this.heloName = heloName;
    this.replyTimeoutMs = replyTimeoutMs;
  }

  public Future<SmtpConnection> connect(Relay relay) {
    ConnectOptions options = new ConnectOptions().setHost(relay.host()).setPort(relay.port());
    if (relay.tls() == RelayTls.IMPLICIT) {
      options.setSsl(true).setSslOptions(ssl).setSniServerName(relay.host());
    }
    return client.connect(options)
        .recover(e -> Future.failedFuture(RelayFailure.before("cannot connect to " + relay.host()
            + ":" + relay.port() + ": " + RelayFailure.of(e, false).getMessage())))
        .map(socket -> new SmtpConnection(vertx, socket, replyTimeoutMs))
        .compose(connection -> handshake(relay, connection)
            .onFailure(e -> connection.abort("handshake failed")));
  }

  private Future<SmtpConnection> handshake(Relay relay, SmtpConnection c) {
    return c.greeting()
        .compose(greeting -> expect(greeting, 220, "greeting"))
        .compose(v -> ehlo(c))
        .compose(v -> relay.tls() == RelayTls.STARTTLS ? startTls(relay, c) : Future.succeededFuture())
        .compose(v -> relay.username() == null ? Future.succeededFuture() : authenticate(relay, c))
        .map(c);
  }

  private Future<Void> ehlo(SmtpConnection c) {
    return c.command("EHLO " + heloName)
        .compose(reply -> expect(reply, 250, "EHLO").map(reply))
        .map(reply -> {
          c.capabilities(EhloCapabilities.parse(reply));
          return null;
        });
  }

  private Future<Void> startTls(Relay relay, SmtpConnection c) {
    if (!c.capabilities().startTls()) {
      return Future.failedFuture(RelayFailure.before("relay does not offer STARTTLS"));
    }
    return c.startTls()
        .compose(reply -> expect(reply, 220, "STARTTLS"))
        .compose(v -> c.upgradeToTls(ssl, relay.host()))
        .compose(v -> ehlo(c));
  }

  /** RFC 4954 with PLAIN (RFC 4616) preferred, else LOGIN. */
  private Future<Void> authenticate(Relay relay, SmtpConnection c) {
    if (!c.tls() && !loopbackPeer(c.peer())) {
      return Future.failedFuture(RelayFailure.before(
          "refusing to send credentials without TLS to " + relay.host()));
    }
    String user = relay.username();
    String password = relay.password() == null ? "" : relay.password();
    if (c.capabilities().authMechanisms().contains("PLAIN")) {
      String token = b64("\0" + user + "\0" + password);
      return c.command("AUTH PLAIN " + token).compose(reply -> expect(reply, 235, "AUTH"));
    }
    if (c.capabilities().authMechanisms().contains("LOGIN")) {
      return c.command("AUTH LOGIN")
          .compose(reply -> expect(reply, 334, "AUTH"))
          .compose(v -> c.command(b64(user)))
          .compose(reply -> expect(reply, 334, "AUTH"))
          .compose(v -> c.command(b64(password)))
          .compose(reply -> expect(reply, 235, "AUTH"));
    }
    return Future.failedFuture(RelayFailure.before("relay offers neither AUTH PLAIN nor LOGIN"));
  }

  private static Future<Void> expect(SmtpReply reply, int code, String step) {
    return reply.code() == code ? Future.succeededFuture()
        : Future.failedFuture(RelayFailure.before(step + " refused: " + reply));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code peer}, the remote end of a connected socket, is a loopback address (127/8,
   * ::1, or IPv4-mapped 127/8). Only its numeric address counts; any host name it carries is
   * ignored, and nothing is looked up.
   */
  static boolean loopbackPeer(SocketAddress peer) {
    if (peer == null || peer.hostAddress() == null) {
      return false;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(peer.hostAddress());
    if (bytes == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(bytes).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
