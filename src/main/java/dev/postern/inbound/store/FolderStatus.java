package dev.postern.inbound.store;

/**
 * What IMAP's SELECT / STATUS report of a folder (RFC 3501 §6.3.10, RFC 7162 §3.1.2).
 *
 * @param uidnext the UID the next message filed here gets
 * @param highestmodseq the largest modseq of a change in this folder (also raised by expunges
 *     and moves out, RFC 7162 §3.2.10)
 * @param messages messages in the folder now
 * @param unseen messages without {@code \Seen}
 */
public record FolderStatus(String name, long uidvalidity, long uidnext, long highestmodseq,
    long messages, long unseen) {}
