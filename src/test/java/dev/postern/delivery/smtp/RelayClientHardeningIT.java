package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.config.PosternConfig.Relay;
import dev.postern.config.PosternConfig.RelayTls;
import dev.postern.support.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 item 8, the relay client against scripted fake relays over real sockets: bytes
 * buffered behind the 220 to STARTTLS fail the connection (RFC 3207 §6, CVE-2011-0411's class),
 * and AUTH without TLS is allowed only when the address the connection reached is a loopback
 * address, whatever the relay's name says. Names are given to the client's resolver through
 * Vert.x's hosts table, so no DNS is involved.
 */
class RelayClientHardeningIT {

  private static final String GREETING = "> 220 fake.test ESMTP\r\n";

  private static Future<SmtpConnection> connect(Vertx vertx, Relay relay) {
    RelayConnector connector = new RelayConnector(vertx, vertx.createNetClient(
        new NetClientOptions().setConnectTimeout(2_000)), new ClientSSLOptions().setTrustAll(true),
        "client.test", 2_000);
    Context loop = vertx.getOrCreateContext();
    Promise<SmtpConnection> done = Promise.promise();
    Supplier<Future<SmtpConnection>> work = () -> connector.connect(relay);
    loop.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private static Throwable failure(Future<SmtpConnection> attempt) {
    try {
      SmtpConnection connection = attempt.await();
      throw new AssertionError("connected, expected a failure: " + connection);
    } catch (RuntimeException e) {
      return e;
    }
  }

  @Test
  void repliesInjectedBehindTheStartTls220FailTheConnectionBeforeAnyHandshake() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ScriptedRelay relay = ScriptedRelay.start(InetAddress.getLoopbackAddress(), GREETING, "<",
        "> 250-fake.test\r\n250 STARTTLS\r\n", "<", "> 220 ready\r\n250 injected\r\n")) {
      Throwable e = failure(connect(vertx, new Relay("fake", "127.0.0.1", relay.port(),
          RelayTls.STARTTLS, null, null, 1, 1)));

      assertThat(e).hasMessageContaining("after its 220 to STARTTLS");
      Eventually.until(Duration.ofSeconds(10), relay::finished, () -> "client never closed");
      assertThat(relay.lines()).containsExactly("EHLO client.test", "STARTTLS");
      // No TLS ClientHello (nor anything else) was sent after the injected reply.
      assertThat(relay.afterScript()).isEmpty();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aPartialLineBehindTheStartTls220FailsTheConnectionToo() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (ScriptedRelay relay = ScriptedRelay.start(InetAddress.getLoopbackAddress(), GREETING, "<",
        "> 250-fake.test\r\n250 STARTTLS\r\n", "<", "> 220 ready\r\n250-AUTH PLA")) {
      Throwable e = failure(connect(vertx, new Relay("fake", "127.0.0.1", relay.port(),
          RelayTls.STARTTLS, null, null, 1, 1)));

      assertThat(e).hasMessageContaining("after its 220 to STARTTLS");
      Eventually.until(Duration.ofSeconds(10), relay::finished, () -> "client never closed");
      assertThat(relay.afterScript()).isEmpty();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aLoopbackAddressUnderAnyNameMayTakeCredentialsWithoutTls() throws Exception {
    Vertx vertx = vertxResolving("127.0.0.1 relay.internal.test");
    try (ScriptedRelay relay = ScriptedRelay.start(InetAddress.getLoopbackAddress(), GREETING, "<",
        "> 250-fake.test\r\n250 AUTH PLAIN\r\n", "<", "> 235 2.7.0 ok\r\n")) {
      SmtpConnection connection = connect(vertx, new Relay("fake", "relay.internal.test",
          relay.port(), RelayTls.NONE, "user", "secret", 1, 1)).await();

      assertThat(connection.usable()).isTrue();
      assertThat(relay.lines()).hasSize(2);
      assertThat(relay.lines().get(1)).startsWith("AUTH PLAIN ");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aNameThatSaysLocalhostButReachesAnotherAddressGetsNoCredentialsWithoutTls()
      throws Exception {
    Optional<InetAddress> other = nonLoopbackAddress();
    Assumptions.assumeTrue(other.isPresent(), "this machine has no non-loopback IPv4 address");
    Vertx vertx = vertxResolving(other.get().getHostAddress() + " localhost");
    try (ScriptedRelay relay = ScriptedRelay.start(other.get(), GREETING, "<",
        "> 250-fake.test\r\n250 AUTH PLAIN\r\n", "<", "> 235 2.7.0 ok\r\n")) {
      Throwable e = failure(connect(vertx, new Relay("fake", "localhost", relay.port(),
          RelayTls.NONE, "user", "secret", 1, 1)));

      assertThat(e).hasMessageContaining("refusing to send credentials without TLS");
      Eventually.until(Duration.ofSeconds(10), relay::finished, () -> "client never closed");
      assertThat(relay.lines()).containsExactly("EHLO client.test");
      assertThat(relay.afterScript()).isEmpty();
    } finally {
      vertx.close().await();
    }
  }

  private static Vertx vertxResolving(String hostsLine) {
    return Vertx.vertx(new VertxOptions().setAddressResolverOptions(
        new AddressResolverOptions().setHostsValue(Buffer.buffer(hostsLine + "\n"))));
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    return NetworkInterface.networkInterfaces()
        .filter(i -> {
          try {
            return i.isUp() && !i.isLoopback();
          } catch (SocketException e) {
            return false;
          }
        })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .findFirst();
  }
}
