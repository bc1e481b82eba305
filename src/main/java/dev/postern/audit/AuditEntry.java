package dev.postern.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * One audit row (SPEC §3 "Audit"). Everything but {@code occurredAt}, {@code actorType} and
 * {@code action} may be null. {@code details} must never hold a secret.
 *
 * @param action what happened: {@code "POST /v1/emails"} for requests, {@code "domains.create"}
 *     style for admin operations
 * @param actorHeader the caller's {@code X-Postern-Actor} header (cut to 1 KB when written)
 */
public record AuditEntry(Instant occurredAt, ActorType actorType, UUID apiKeyId, String action,
    String method, String path, Integer status, String remoteAddr, String actorHeader,
    JsonObject details) {}
