package dev.postern.http;

/** The error vocabulary of the REST API (SPEC §3): HTTP status and machine-readable name. */
public enum ApiError {
  VALIDATION_ERROR(400, "validation_error"),
  UNAUTHORIZED(401, "unauthorized"),
  FORBIDDEN_SCOPE(403, "forbidden_scope"),
  FORBIDDEN_SENDER(403, "forbidden_sender"),
  NOT_FOUND(404, "not_found"),
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  MAILBOX_NOT_API_READABLE(409, "mailbox_not_api_readable"),
  IDEMPOTENCY_CONFLICT(409, "idempotency_conflict"),
  REQUEST_TIMEOUT(408, "request_timeout"),
  CONFLICT(409, "conflict"),
  PAYLOAD_TOO_LARGE(413, "payload_too_large"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
  RATE_LIMITED(429, "rate_limited"),
  INTERNAL_SERVER_ERROR(500, "internal_server_error"),
  STORAGE_UNAVAILABLE(502, "storage_unavailable"),
  UNAVAILABLE(503, "unavailable");

  private final int status;
  private final String code;

  ApiError(int status, String code) {
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
