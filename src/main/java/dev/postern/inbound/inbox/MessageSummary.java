package dev.postern.inbound.inbox;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One message as a list shows it (and as the live stream announces it). {@code subject} and
 * {@code preview} are null for an encrypted (standard-tier) message: they stay in its ciphertext.
 *
 * @param messageId the Message-ID header without angle brackets, or null
 * @param preview the first 200 characters of the text body
 */
public record MessageSummary(UUID id, String messageId, String fromName, String fromAddress,
    List<String> to, String subject, String preview, Instant receivedAt, String folder,
    boolean read, boolean starred, boolean hasAttachments, long sizeBytes, UUID threadId,
    boolean encrypted) {}
