package dev.postern.http;

import dev.postern.refusal.Issue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * An expected API failure, thrown or failed anywhere below a route and turned into the SPEC §3
 * JSON body by {@link ErrorHandler} alone. Carries no stack trace: it is a value, not a bug.
 */
public final class ApiException extends RuntimeException {

  private final ApiError error;
  private final List<Issue> issues;
  private final Long limit;

  public ApiException(ApiError error, String message) {
    this(error, message, List.of(), null);
  }

  public ApiException(ApiError error, String message, List<Issue> issues, Long limit) {
    super(message, null, false, false);
    this.error = error;
    this.issues = List.copyOf(issues);
    this.limit = limit;
  }

  public static ApiException validation(List<Issue> issues) {
    String message = issues.size() == 1
        ? issues.get(0).path() + ": " + issues.get(0).message()
        : issues.size() + " fields are invalid";
    return new ApiException(ApiError.VALIDATION_ERROR, message, issues, null);
  }

  public static ApiException validation(String path, String message) {
    return validation(List.of(new Issue(path, message)));
  }

  public ApiError error() {
    return error;
  }

  public List<Issue> issues() {
    return issues;
  }

  /** The body every error response carries: {@code {statusCode, name, message[, issues][, limit]}}. */
  public JsonObject toJson() {
    JsonObject body = new JsonObject()
        .put("statusCode", error.status())
        .put("name", error.code())
        .put("message", getMessage());
    if (!issues.isEmpty()) {
      JsonArray list = new JsonArray();
      issues.forEach(i -> list.add(new JsonObject().put("path", i.path()).put("message", i.message())));
      body.put("issues", list);
    }
    if (limit != null) {
      body.put("limit", limit);
    }
    return body;
  }
}
