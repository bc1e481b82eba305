package dev.postern.send;

import dev.postern.ratelimit.Decision;
import java.util.Optional;
import java.util.UUID;

/**
 * A streamed message the core accepted (committed durably: the edge may answer 250 now).
 *
 * @param id the message's id; on a replay, the id accepted the first time
 * @param replayed whether this was a resend of a message already accepted (RFC 5321 §4.1.1.4:
 *     same key, Message-ID and bytes within 24 h): nothing was stored, sent or charged again
 * @param quota the key's quota after charging this message; null on a replay
 * @param actor the value of the message's {@code X-Postern-Actor} header, for the audit row
 *     (the header itself is not stored)
 */
public record StreamedAccepted(UUID id, boolean replayed, Decision quota, Optional<String> actor) {}
