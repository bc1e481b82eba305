package dev.postern.smtp.session;

/**
 * How the sink treats one message.
 *
 * @param rewriteFromToMailbox LAN shim: replace the From header with the key's mailbox (scanners
 *     that cannot set a sensible sender); otherwise From must be inside the key's binding
 */
public record SinkOptions(boolean rewriteFromToMailbox) {}
