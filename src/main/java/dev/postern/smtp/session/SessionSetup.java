package dev.postern.smtp.session;

import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;

/**
 * What a session knows about its connection.
 *
 * @param client the peer's address (the AUTH slow-down and the LAN CIDR map key on it)
 * @param implicitTls TLS is already on when the session opens (port 465, RFC 8314 §3.3)
 * @param serverName the name in the greeting and the EHLO reply
 * @param vertx timers (the AUTH failure delay); the session runs on the caller's context
 */
public record SessionSetup(InetSocketAddress client, boolean implicitTls, String serverName,
    SessionLimits limits, Vertx vertx, Clock clock) {

  public SessionSetup {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(clock, "clock");
  }
}
