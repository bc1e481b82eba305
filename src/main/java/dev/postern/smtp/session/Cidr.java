package dev.postern.smtp.session;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3): {@code 10.0.0.0/8},
 * {@code 192.168.1.7} (= /32), {@code 2001:db8::/32}, {@code ::1} (= /128).
 *
 * <p>Parsed strictly, without DNS: IPv4 is four decimal octets without leading zeros (no octal
 * or short forms such as {@code 10.1}); IPv6 is a literal without a zone id. Host bits must be
 * zero ({@code 10.0.0.1/8} is refused: it is a typo more often than a network). An IPv4 client
 * seen through an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.7}) matches IPv4 networks.
 */
public final class Cidr {

  private final byte[] network;
  private final int prefixLength;

  private Cidr(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /** @throws IllegalArgumentException naming what is wrong (the text is the operator's own) */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty network");
    }
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] bytes = address.indexOf(':') >= 0 ? ipv6(address, trimmed) : ipv4(address, trimmed);
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String length = trimmed.substring(slash + 1);
      if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(Character::isDigit)
          || (length.length() > 1 && length.charAt(0) == '0')) {
        throw new IllegalArgumentException("bad prefix length in '" + trimmed + "'");
      }
      prefix = Integer.parseInt(length);
      if (prefix > bits) {
        throw new IllegalArgumentException("prefix length over " + bits + " in '" + trimmed + "'");
      }
    }
    if (!Arrays.equals(bytes, mask(bytes, prefix))) {
      throw new IllegalArgumentException("host bits set in '" + trimmed + "'; did you mean "
          + new Cidr(mask(bytes, prefix), prefix) + "?");
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} is inside this network. */
  public boolean contains(InetAddress address) {
    byte[] bytes = normalized(address);
    return bytes.length == network.length && Arrays.equals(mask(bytes, prefixLength), network);
  }

  public int prefixLength() {
    return prefixLength;
  }

  public boolean isIpv6() {
    return network.length == 16;
  }

  private static byte[] ipv4(String address, String whole) {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 or IPv6 network: '" + whole + "'");
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
          || (part.length() > 1 && part.charAt(0) == '0')) {
        throw new IllegalArgumentException("bad IPv4 octet '" + part + "' in '" + whole + "'");
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        throw new IllegalArgumentException("IPv4 octet over 255 in '" + whole + "'");
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static byte[] ipv6(String address, String whole) {
    // Only hex digits, colons and an embedded IPv4 tail's dots: InetAddress then parses a
    // literal and never resolves a name.
    if (!address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      throw new IllegalArgumentException("not an IPv6 literal (zone ids are not allowed): '" + whole + "'");
    }
    try {
      InetAddress parsed = InetAddress.getByName(address);
      if (parsed instanceof Inet6Address v6) {
        return v6.getAddress();
      }
      // An IPv4-mapped literal (::ffff:a.b.c.d): Java hands back the IPv4 address; keep it IPv6.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
      return mapped;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IPv6 literal: '" + whole + "'");
    }
  }

  /** A client's address; an IPv4-mapped IPv6 address counts as its IPv4 address. */
  private static byte[] normalized(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address || bytes.length != 16) {
      return bytes;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return bytes;
      }
    }
    if ((bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefixLength;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
