package dev.postern.smtp.session;

import java.net.InetSocketAddress;

/**
 * How the sink treats one message, and the session facts a receiving sink records in its trace
 * field (RFC 5321 §4.4: the {@code Received:} line names the client and how it spoke to us).
 *
 * @param rewriteFromToMailbox LAN shim: replace the From header with the key's mailbox (scanners
 *     that cannot set a sensible sender); otherwise From must be inside the key's binding
 * @param client the peer's address
 * @param helo the EHLO/HELO argument as the client gave it (client-chosen text: sanitise it)
 * @param esmtp the client greeted with EHLO (RFC 3848 {@code with ESMTP})
 * @param tls the transaction ran over TLS (RFC 3848 {@code with ESMTPS})
 */
public record SinkOptions(boolean rewriteFromToMailbox, InetSocketAddress client, String helo,
    boolean esmtp, boolean tls) {}
