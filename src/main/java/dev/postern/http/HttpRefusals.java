package dev.postern.http;

import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;

/** The one place a core {@link Refusal} becomes the REST API's error (SPEC §3). */
public final class HttpRefusals {

  private HttpRefusals() {}

  public static ApiException toApi(Refusal refusal) {
    Long limit = refusal.quota().map(decision -> decision.limit()).orElse(null);
    return new ApiException(error(refusal.reason()), refusal.getMessage(), refusal.issues(), limit);
  }

  static ApiError error(Reason reason) {
    return switch (reason) {
      case INVALID -> ApiError.VALIDATION_ERROR;
      case UNAUTHENTICATED -> ApiError.UNAUTHORIZED;
      case SCOPE -> ApiError.FORBIDDEN_SCOPE;
      case SENDER_NOT_ALLOWED -> ApiError.FORBIDDEN_SENDER;
      case NOT_FOUND -> ApiError.NOT_FOUND;
      case CONFLICT -> ApiError.CONFLICT;
      case IDEMPOTENCY_CONFLICT -> ApiError.IDEMPOTENCY_CONFLICT;
      case NOT_API_READABLE -> ApiError.MAILBOX_NOT_API_READABLE;
      case TOO_LARGE -> ApiError.PAYLOAD_TOO_LARGE;
      case QUOTA -> ApiError.RATE_LIMITED;
      case UNAVAILABLE -> ApiError.UNAVAILABLE;
      case STORAGE_UNAVAILABLE -> ApiError.STORAGE_UNAVAILABLE;
      // Receiving refusals; a REST caller meets them only as a named recipient that was invalid.
      case RECIPIENT_UNKNOWN, RELAY_DENIED, MAILBOX_FULL -> ApiError.VALIDATION_ERROR;
    };
  }
}
