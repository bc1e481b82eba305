package dev.postern.send;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Refusal;
import dev.postern.mail.InvalidValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Collects every failing field of one body so the client sees them all in one 400. */
final class Issues {

  private final List<Issue> list = new ArrayList<>();

  void add(String path, String message) {
    list.add(new Issue(path, message));
  }

  /** Applies {@code rule}; an {@link InvalidValue} becomes an issue on {@code path}. */
  <T, R> Optional<R> check(String path, T value, Function<T, R> rule) {
    try {
      return Optional.ofNullable(rule.apply(value));
    } catch (InvalidValue e) {
      add(path, e.getMessage());
      return Optional.empty();
    }
  }

  /** The string at {@code key}; absent or null is empty, another type is an issue. */
  Optional<String> optionalString(JsonObject body, String key, String path) {
    return optionalText(body, key, path).map(CharSequence::toString);
  }

  /**
   * The string at {@code key} as it was parsed: a String, or an {@link AsciiText} view of the
   * request body ({@link RequestJson#viewing}) for what should not be copied.
   */
  Optional<CharSequence> optionalText(JsonObject body, String key, String path) {
    Object value = body.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof String || value instanceof AsciiText) {
      return Optional.of((CharSequence) value);
    }
    add(path, "must be a string");
    return Optional.empty();
  }

  Optional<String> requiredString(JsonObject body, String key, String path) {
    return requiredText(body, key, path).map(CharSequence::toString);
  }

  Optional<CharSequence> requiredText(JsonObject body, String key, String path) {
    if (body.getValue(key) == null) {
      add(path, "is required");
      return Optional.empty();
    }
    return optionalText(body, key, path);
  }

  Optional<JsonArray> optionalArray(JsonObject body, String key, String path) {
    Object value = body.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof JsonArray a) {
      return Optional.of(a);
    }
    add(path, "must be an array");
    return Optional.empty();
  }

  Optional<JsonObject> objectAt(JsonArray array, int index, String path) {
    Object value = array.getValue(index);
    if (value instanceof JsonObject o) {
      return Optional.of(o);
    }
    add(path, "must be an object");
    return Optional.empty();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  void throwIfAny() {
    if (!list.isEmpty()) {
      throw Refusal.invalid(List.copyOf(list));
    }
  }
}
