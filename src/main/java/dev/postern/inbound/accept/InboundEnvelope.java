package dev.postern.inbound.accept;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One message arriving at the MX: its SMTP envelope (RFC 5321 §2.3.1) and what the trace field
 * records about the client.
 *
 * @param mailFrom the reverse-path; {@code ""} is the null sender {@code <>} of bounces
 * @param recipients forward-paths in RCPT order, each accepted at RCPT
 * @param client the peer's address, or null when unknown
 * @param helo the EHLO/HELO argument as given, or null
 * @param esmtp greeted with EHLO
 * @param tls received over TLS
 */
public record InboundEnvelope(String mailFrom, List<String> recipients, InetAddress client,
    String helo, boolean esmtp, boolean tls) {

  public InboundEnvelope {
    Objects.requireNonNull(mailFrom, "mailFrom");
    recipients = List.copyOf(recipients);
  }
}
