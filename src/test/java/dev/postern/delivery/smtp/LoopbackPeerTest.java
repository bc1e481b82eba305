package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Issue #15 item 8: credentials in the clear only to a loopback address, never by name. */
class LoopbackPeerTest {

  @Test
  void theNumericAddressDecides() throws Exception {
    assertThat(RelayConnector.loopbackPeer(SocketAddress.inetSocketAddress(25, "127.0.0.1"))).isTrue();
    assertThat(RelayConnector.loopbackPeer(SocketAddress.inetSocketAddress(25, "127.3.2.1"))).isTrue();
    assertThat(RelayConnector.loopbackPeer(SocketAddress.inetSocketAddress(25, "::1"))).isTrue();
    assertThat(RelayConnector.loopbackPeer(SocketAddress.inetSocketAddress(25, "10.0.0.1"))).isFalse();
    assertThat(RelayConnector.loopbackPeer(SocketAddress.inetSocketAddress(25, "2001:db8::1"))).isFalse();
    assertThat(RelayConnector.loopbackPeer(null)).isFalse();
  }

  @Test
  void aLoopbackLookingNameOnAnotherAddressIsNotLoopback() throws Exception {
    for (String name : new String[] {"localhost", "127.example.net", "::1"}) {
      SocketAddress peer = SocketAddress.inetSocketAddress(new InetSocketAddress(
          InetAddress.getByAddress(name, new byte[] {(byte) 203, 0, 113, 7}), 25));
      assertThat(RelayConnector.loopbackPeer(peer)).as(name).isFalse();
    }
  }
}
