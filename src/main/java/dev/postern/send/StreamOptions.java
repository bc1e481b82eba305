package dev.postern.send;

/**
 * How a streamed message is taken.
 *
 * @param rewriteFromToMailbox the LAN shim's option (docs/contract.md §5): the From header is
 *     replaced by the key's mailbox address and the original kept in Reply-To when there is none.
 *     Only a mailbox-bound key has a mailbox; for a domain-bound key the From header is kept and
 *     sender policy applies to it as usual.
 */
public record StreamOptions(boolean rewriteFromToMailbox) {}
