package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue #15 item 8: the address classes a webhook may not reach, and the public ones it may. */
class PublicAddressesTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, a loopback address",
      "127.255.0.9, a loopback address",
      "::1, a loopback address",
      "0.0.0.0, an unspecified address",
      "0.1.2.3, an unspecified address",
      "::, an unspecified address",
      "10.1.2.3, a private address",
      "172.16.0.1, a private address",
      "172.31.255.254, a private address",
      "192.168.1.10, a private address",
      "fc00::1, a private address",
      "fd12:3456::1, a private address",
      "fec0::1, a private address",
      "169.254.1.1, a link-local address",
      "fe80::1, a link-local address",
      "100.64.0.1, a shared (CGNAT) address",
      "100.127.255.255, a shared (CGNAT) address",
      "224.0.0.1, a multicast address",
      "ff02::1, a multicast address",
      "240.0.0.1, a reserved address",
      "255.255.255.255, a reserved address",
      "169.254.169.254, a cloud metadata address",
      "fd00:ec2::254, a cloud metadata address",
      // IPv4 inside IPv6: mapped (Java turns it into IPv4), compatible, NAT64, 6to4.
      "::ffff:127.0.0.1, a loopback address",
      "::127.0.0.1, a loopback address",
      "64:ff9b::a9fe:a9fe, a cloud metadata address",
      "64:ff9b::10.0.0.1, a private address",
      "2002:c0a8:0101::1, a private address",
  })
  void nonPublicAddressesAreNamed(String literal, String reason) throws UnknownHostException {
    assertThat(PublicAddresses.whyNotPublic(InetAddress.getByName(literal))).isEqualTo(reason);
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255",
      "100.63.255.255", "100.128.0.1", "192.169.0.1", "169.255.0.1", "223.255.255.255",
      "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "64:ff9b::808:808", "2002:0808:0808::1"})
  void publicAddressesPass(String literal) throws UnknownHostException {
    assertThat(PublicAddresses.whyNotPublic(InetAddress.getByName(literal))).isNull();
  }
}
