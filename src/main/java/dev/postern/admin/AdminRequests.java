package dev.postern.admin;

import dev.postern.http.ApiError;
import dev.postern.http.ApiException;
import dev.postern.refusal.Issue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/** Reading admin requests: path ids, JSON bodies and typed fields, with SPEC §3 errors. */
final class AdminRequests {

  private AdminRequests() {}

  /** The {@code :id} path parameter; anything that is not a UUID is simply not found. */
  static UUID id(RoutingContext ctx, String what) {
    String raw = ctx.pathParam("id");
    try {
      if (raw != null && raw.length() == 36) {
        return UUID.fromString(raw);
      }
    } catch (IllegalArgumentException malformed) {
      // falls through to 404: an id that cannot exist is unknown, never a hint of anything
    }
    throw new ApiException(ApiError.NOT_FOUND, what + " not found");
  }

  /** The request body as a JSON object; an absent body is an empty object. */
  static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return new JsonObject();
    }
    Object value = ctx.body().asJsonObject();
    if (value == null) {
      throw ApiException.validation("body", "must be a JSON object");
    }
    return (JsonObject) value;
  }

  /** A string field, null when absent or null; 400 when of another type. */
  static String string(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ApiException.validation(field, "must be a string");
    }
    return s;
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

  /** A list field, null when absent or null; 400 when of another type. */
  static List<Object> list(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw ApiException.validation(field, "must be a list");
    }
    return array.getList();
  }

  /** {@code ?limit=} 1–100, default 50. */
  static int limit(RoutingContext ctx) {
    String raw = ctx.queryParams().get("limit");
    if (raw == null) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= 100) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.validation("limit", "must be an integer between 1 and 100");
  }

  /** {@code ?before=<cursor>}: the id of the last row seen, or null for the first page. */
  static Long before(RoutingContext ctx) {
    String raw = ctx.queryParams().get("before");
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      long before = Long.parseLong(raw);
      if (before > 0) {
        return before;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.validation("before", "must be a cursor returned as next_cursor");
  }
}
