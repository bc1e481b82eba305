package dev.postern.inbound.filing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A claimed {@code inbound_deliveries} row with what filing it needs: its raw MIME (inline
 * bytes, or a blob key; for local delivery and sent copies those of the outbound message) and
 * its mailbox.
 *
 * @param attempts attempts including this one (counted when claimed)
 * @param clearFacts the readable header facts of an encrypted raw, else null
 * @param mimeInline the raw when stored inline, else null and {@code blobKey} names it
 */
public record InboundDelivery(UUID id, UUID rawId, UUID mailboxId, UUID domainId,
    String mailboxAddress, String recipient, String tag, String folder, int attempts,
    Instant receivedAt, boolean encrypted, JsonObject clearFacts, Buffer mimeInline,
    String blobKey, long mimeSize) {}
