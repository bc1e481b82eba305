package dev.postern.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void ipv4NetworksContainTheirAddressesOnly() throws Exception {
    Cidr lan = Cidr.parse("192.168.10.0/24");
    assertThat(lan.contains(ip("192.168.10.0"))).isTrue();
    assertThat(lan.contains(ip("192.168.10.255"))).isTrue();
    assertThat(lan.contains(ip("192.168.11.0"))).isFalse();
    assertThat(lan.contains(ip("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("10.0.0.0/8").contains(ip("10.255.3.4"))).isTrue();
    assertThat(Cidr.parse("172.16.0.0/12").contains(ip("172.31.255.255"))).isTrue();
    assertThat(Cidr.parse("172.16.0.0/12").contains(ip("172.32.0.0"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).as("IPv4 /0 is not IPv6").isFalse();
  }

  @Test
  void aBareAddressIsAHostNetwork() throws Exception {
    Cidr host = Cidr.parse("192.168.1.7");
    assertThat(host.prefixLength()).isEqualTo(32);
    assertThat(host.contains(ip("192.168.1.7"))).isTrue();
    assertThat(host.contains(ip("192.168.1.8"))).isFalse();
    assertThat(Cidr.parse("::1").prefixLength()).isEqualTo(128);
    assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
  }

  @Test
  void ipv6NetworksContainTheirAddressesOnly() throws Exception {
    Cidr doc = Cidr.parse("2001:db8::/32");
    assertThat(doc.isIpv6()).isTrue();
    assertThat(doc.contains(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(doc.contains(ip("2001:db9::1"))).isFalse();
    Cidr odd = Cidr.parse("fd00:1234:5600::/41");
    assertThat(odd.contains(ip("fd00:1234:567f:ffff::1"))).isTrue();
    assertThat(odd.contains(ip("fd00:1234:5680::1"))).isFalse();
    assertThat(doc.contains(ip("10.0.0.1"))).isFalse();
  }

  @Test
  void anIpv4MappedClientMatchesIpv4Networks() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 7;
    InetAddress client = java.net.Inet6Address.getByAddress(null, mapped, -1);
    assertThat(Cidr.parse("10.0.0.0/24").contains(client)).isTrue();
    assertThat(Cidr.parse("10.0.1.0/24").contains(client)).isFalse();
  }

  @Test
  void hostBitsAreRefusedWithTheNetworkMeant() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/8");
    assertThatThrownBy(() -> Cidr.parse("2001:db8::1/32"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host bits");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "10.0.0", "10.0.0.0.0", "10.0.0.256", "010.0.0.0", "10.0.0.0/33",
      "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "::/129", "fe80::1%eth0", "printer.lan",
      "10.0.0.0/8/8", "1:2:3:4:5:6:7:8:9", "gggg::", "10.0.0.0 /8", "+1.0.0.0"})
  void malformedNetworksAreRefused(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theMostSpecificNetworkWins() throws Exception {
    UUID wide = UUID.randomUUID();
    UUID narrow = UUID.randomUUID();
    UUID v6 = UUID.randomUUID();
    Map<String, String> config = new LinkedHashMap<>();
    config.put("10.0.0.0/8", wide.toString());
    config.put("10.0.5.0/24", narrow.toString());
    config.put("2001:db8::/48", v6.toString());
    CidrMap<UUID> map = CidrMap.parse(config).mapValues(UUID::fromString);
    assertThat(map.lookup(ip("10.0.5.9"))).contains(narrow);
    assertThat(map.lookup(ip("10.0.6.9"))).contains(wide);
    assertThat(map.lookup(ip("2001:db8:0:1::5"))).contains(v6);
    assertThat(map.lookup(ip("192.168.0.1"))).isEmpty();
    assertThat(CidrMap.<UUID>empty().lookup(ip("10.0.5.9"))).isEmpty();
  }

  @Test
  void everyBadNetworkIsReportedAtOnce() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("10.0.0.0/33", "a");
    config.put("printer.lan", "b");
    config.put("192.168.1.0/24", "c");
    config.put("192.168.1.0/24 ", "d");
    assertThatThrownBy(() -> CidrMap.parse(config))
        .hasMessageContaining("10.0.0.0/33").hasMessageContaining("printer.lan")
        .hasMessageContaining("mapped twice");
  }
}
