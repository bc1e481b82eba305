package dev.postern.inbound.accept;

import io.vertx.core.buffer.Buffer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The trace field the MX prepends to every message it accepts (RFC 5321 §4.4: "When an SMTP
 * server receives a message for delivery or further processing, it MUST insert trace ...
 * information at the beginning of the message content"):
 *
 * <pre>
 * Received: from client.example ([192.0.2.7])
 *         by mx.example (Postern) with ESMTPS id 7d1c…;
 *         Tue, 2 Jun 2026 10:00:00 +0000
 * </pre>
 *
 * Protocol names per RFC 3848 (ESMTP, ESMTPS; SMTP after HELO). A {@code for} clause is written
 * only for a single recipient (RFC 5321 §4.4 allows it; with several it would disclose the other
 * recipients to each). The client's HELO text is its own: only domain and address-literal
 * characters are kept, at most 255 of them, so nothing it sends can break the field.
 */
final class ReceivedField {

  private static final DateTimeFormatter DATE = DateTimeFormatter
      .ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final int MAX_HELO = 255;

  /** The date of the last second formatted: one format per second, not per message. */
  private record Stamp(long second, String text) {}

  private static volatile Stamp lastStamp = new Stamp(Long.MIN_VALUE, "");

  private ReceivedField() {}

  /** RFC 5322 §3.3 date-time, to the second. */
  static String date(Instant at) {
    Stamp stamp = lastStamp;
    if (stamp.second() != at.getEpochSecond()) {
      stamp = new Stamp(at.getEpochSecond(), DATE.format(at));
      lastStamp = stamp;
    }
    return stamp.text();
  }

  /**
   * @param client the peer's address, or null when unknown
   * @param recipients the envelope recipients (the {@code for} clause when there is one)
   */
  static Buffer of(String helo, InetAddress client, String serverName, boolean esmtp, boolean tls,
      UUID id, List<String> recipients, Instant at) {
    String with = !esmtp ? "SMTP" : tls ? "ESMTPS" : "ESMTP";
    StringBuilder field = new StringBuilder("Received: from ").append(safeHelo(helo));
    if (client != null) {
      field.append(" (").append(literal(client)).append(')');
    }
    field.append("\r\n\tby ").append(safeHelo(serverName)).append(" (Postern) with ").append(with)
        .append(" id ").append(id);
    if (recipients.size() == 1 && safeAddress(recipients.get(0))) {
      field.append("\r\n\tfor <").append(recipients.get(0)).append('>');
    }
    field.append(";\r\n\t").append(date(at)).append("\r\n");
    return Buffer.buffer(field.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** RFC 5321 §4.1.3 address literal: {@code [192.0.2.7]} or {@code [IPv6:2001:db8::1]}. */
  static String literal(InetAddress address) {
    String host = address.getHostAddress();
    int zone = host.indexOf('%');
    if (zone >= 0) {
      host = host.substring(0, zone);
    }
    return address instanceof Inet6Address ? "[IPv6:" + host + "]" : "[" + host + "]";
  }

  /** Letters, digits and {@code . - _ : [ ]} only; "unknown" when nothing is left. */
  static String safeHelo(String helo) {
    if (helo == null) {
      return "unknown";
    }
    StringBuilder kept = new StringBuilder();
    for (int i = 0; i < helo.length() && kept.length() < MAX_HELO; i++) {
      char c = helo.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']') {
        kept.append(c);
      }
    }
    return kept.isEmpty() ? "unknown" : kept.toString();
  }

  /** An address the path parser accepted, with nothing that could end the line or the path. */
  private static boolean safeAddress(String address) {
    return address.length() <= 254 && address.chars().allMatch(c -> c > 32 && c != '>' && c != 127);
  }
}
