package dev.postern.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which addresses a webhook may be delivered to (issue #15 item 8): a URL that resolves to this
 * host, the operator's private network or a cloud metadata service would let anyone who can
 * create a webhook make the gateway POST into places only it can reach (server-side request
 * forgery). {@link #whyNotPublic} names the class of a non-public address, or returns null.
 *
 * <p>Refused: loopback (127/8, ::1), unspecified and "this network" (0/8, ::), private
 * (RFC 1918: 10/8, 172.16/12, 192.168/16; RFC 4193 unique-local fc00::/7; the deprecated
 * site-local fec0::/10), link-local (RFC 3927 169.254/16, fe80::/10), shared address space
 * (RFC 6598 CGNAT 100.64/10), multicast (224/4, ff00::/8), reserved and broadcast (240/4), and
 * the metadata endpoints 169.254.169.254 and fd00:ec2::254 by name. IPv6 forms that carry an
 * IPv4 address (IPv4-compatible ::a.b.c.d, IPv4-mapped — which Java already turns into IPv4 —,
 * NAT64 64:ff9b::/96 of RFC 6052, 6to4 2002::/16 of RFC 3056) are judged by that address.
 */
final class PublicAddresses {

  private PublicAddresses() {}

  /** @return a short reason such as {@code "a loopback address"}, or null for a public address */
  static String whyNotPublic(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      return whyNotPublic6(v6);
    }
    byte[] b = address.getAddress();
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (first == 169 && second == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
      return "a cloud metadata address";
    }
    if (address.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (first == 0) {
      return "an unspecified address";
    }
    if (address.isSiteLocalAddress()) {
      return "a private address";
    }
    if (address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (first == 100 && (second & 0xc0) == 64) {
      return "a shared (CGNAT) address";
    }
    if (address.isMulticastAddress()) {
      return "a multicast address";
    }
    if (first >= 240) {
      return "a reserved address";
    }
    return null;
  }

  private static String whyNotPublic6(Inet6Address address) {
    byte[] b = address.getAddress();
    if (isMetadata6(b)) {
      return "a cloud metadata address";
    }
    if (address.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (address.isAnyLocalAddress()) {
      return "an unspecified address";
    }
    if ((b[0] & 0xfe) == 0xfc || address.isSiteLocalAddress()) {
      return "a private address";
    }
    if (address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (address.isMulticastAddress()) {
      return "a multicast address";
    }
    byte[] embedded = embeddedIpv4(b);
    if (embedded != null) {
      try {
        return whyNotPublic(InetAddress.getByAddress(embedded));
      } catch (UnknownHostException e) {
        throw new AssertionError("four bytes are always an IPv4 address", e);
      }
    }
    return null;
  }

  /** fd00:ec2::254, the IPv6 address of the EC2 instance metadata service. */
  private static boolean isMetadata6(byte[] b) {
    byte[] metadata = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    return java.util.Arrays.equals(b, metadata);
  }

  /** The IPv4 address inside an IPv4-compatible, NAT64 or 6to4 address, else null. */
  private static byte[] embeddedIpv4(byte[] b) {
    boolean zeroPrefix = true;
    for (int i = 0; i < 12; i++) {
      zeroPrefix &= b[i] == 0;
    }
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    if (zeroPrefix || nat64) {
      return java.util.Arrays.copyOfRange(b, 12, 16);
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
      return java.util.Arrays.copyOfRange(b, 2, 6);
    }
    return null;
  }
}
