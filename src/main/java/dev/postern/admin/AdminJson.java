package dev.postern.admin;

import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
import dev.postern.http.ApiException.Issue;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/** Request reading shared by the admin routes: JSON object bodies, text fields, path ids. */
final class AdminJson {

  private AdminJson() {}

  /** The body as a JSON object; anything else is 400 {@code validation_error}. */
  static JsonObject object(RoutingContext ctx) {
    try {
      Object value = ctx.body().asJsonObject();
      if (value == null) {
        throw ApiException.validation("body", "a JSON object is required");
      }
      return (JsonObject) value;
    } catch (DecodeException | ClassCastException e) {
      throw ApiException.validation("body", "a JSON object is required");
    }
  }

  /** A string field: trimmed, bounded, free of control characters. Null when absent. */
  static String text(JsonObject json, String field, int maxLength, boolean required, List<Issue> issues) {
    Object value = json.getValue(field);
    if (value == null) {
      if (required) {
        issues.add(new Issue(field, "is required"));
      }
      return null;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      issues.add(new Issue(field, "must be a non-empty string"));
      return null;
    }
    if (s.length() > maxLength) {
      issues.add(new Issue(field, "must be at most " + maxLength + " characters"));
      return null;
    }
    if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029)) {
      issues.add(new Issue(field, "must not contain control characters"));
      return null;
    }
    return s.trim();
  }

  /** The {@code :id} path parameter; a malformed id is indistinguishable from an unknown one. */
  static UUID id(RoutingContext ctx) {
    try {
      return UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ApiException(ApiError.NOT_FOUND, "not found");
    }
  }
}
