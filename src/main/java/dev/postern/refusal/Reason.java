package dev.postern.refusal;

/**
 * Why the core refused a request, in no protocol's words. Each edge turns a reason into its wire
 * vocabulary in exactly one place: REST in {@code http.HttpRefusals} (SPEC §3's JSON errors),
 * SMTP in the reply table of docs/contract.md (reply code and RFC 3463 enhanced status code).
 */
public enum Reason {
  /** The request is malformed or a field is invalid (REST 400; SMTP 501 5.5.4 / 553 5.1.3). */
  INVALID,
  /** The credential was not accepted (REST 401; SMTP 535 5.7.8). */
  UNAUTHENTICATED,
  /** The key lacks the scope the operation needs (REST 403 forbidden_scope; SMTP 550 5.7.1). */
  SCOPE,
  /** The sender is outside the key's binding (REST 403 forbidden_sender; SMTP 550 5.7.1). */
  SENDER_NOT_ALLOWED,
  /** No such thing visible to this caller (REST 404). */
  NOT_FOUND,
  /** The thing already exists or is in use (REST 409 conflict). */
  CONFLICT,
  /** An idempotency key was reused with a different request (REST 409 idempotency_conflict). */
  IDEMPOTENCY_CONFLICT,
  /** The mailbox's tier keeps bodies out of the API's reach (REST 409 mailbox_not_api_readable). */
  NOT_API_READABLE,
  /** The message or body is over the configured limit (REST 413; SMTP 552 5.3.4). */
  TOO_LARGE,
  /** The key's hourly quota is spent (REST 429 rate_limited; SMTP 451 4.7.1). */
  QUOTA,
  /** The database or the quota store is unreachable (REST 503 unavailable; SMTP 451 4.3.0). */
  UNAVAILABLE,
  /** The object store is unreachable; nothing was stored (REST 502; SMTP 451 4.3.0). */
  STORAGE_UNAVAILABLE,
  /** Mail for a hosted domain whose local part names no mailbox and no catch-all (SMTP 550 5.1.1). */
  RECIPIENT_UNKNOWN,
  /** Mail for a domain we do not host, without authentication: never an open relay (SMTP 554 5.7.1). */
  RELAY_DENIED,
  /** The recipient mailbox has used its storage quota; temporary (SMTP 452 4.2.2). */
  MAILBOX_FULL
}
