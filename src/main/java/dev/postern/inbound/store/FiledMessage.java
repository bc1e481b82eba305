package dev.postern.inbound.store;

import java.time.Instant;
import java.util.UUID;

/**
 * A message as filed.
 *
 * @param seq the change sequence number of its {@code new} change (= its modseq)
 * @param threadPosition 1-based, by arrival within the thread
 * @param receivedAt as stored: the delivery's receipt time, raised to 1 µs after the mailbox's
 *     previous message when needed (unique and ascending per mailbox, V006)
 * @param alreadyFiled the delivery had been filed before (a re-run after a crash): nothing new
 *     was written and no change was logged; the fields describe the earlier filing
 */
public record FiledMessage(UUID id, UUID mailboxId, String folder, long uid, long seq,
    UUID threadId, int threadPosition, Instant receivedAt, boolean alreadyFiled) {}
