package dev.postern.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed access to the raw configuration tree that records a problem per bad key instead of
 * throwing, so the loader reports every mistake at once (STYLE.md: config declared once, every bad
 * setting reported). Values set from the environment arrive as strings and are converted here.
 */
final class ConfigReader {

  private final JsonObject root;
  private final Map<String, String> origins;
  private final List<String> problems = new ArrayList<>();

  ConfigReader(JsonObject root, Map<String, String> origins) {
    this.root = root;
    this.origins = origins;
  }

  List<String> problems() {
    return problems;
  }

  void problem(String path, String message) {
    String origin = origins.get(path);
    problems.add(path + (origin == null ? "" : " (" + origin + ")") + ": " + message);
  }

  /** A string, or null when absent, null or blank. */
  String optionalString(String path) {
    Object value = raw(path);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      problem(path, "must be a string");
      return null;
    }
    return s.isBlank() ? null : s;
  }

  String string(String path, String fallback) {
    String value = optionalString(path);
    return value == null ? fallback : value;
  }

  int integer(String path, int fallback, int min, int max) {
    return (int) longInteger(path, fallback, min, max);
  }

  long longInteger(String path, long fallback, long min, long max) {
    Object value = raw(path);
    if (value == null) {
      return fallback;
    }
    long parsed;
    if (value instanceof Number n && n.doubleValue() == n.longValue()) {
      parsed = n.longValue();
    } else if (value instanceof String s && s.trim().matches("-?\\d{1,18}")) {
      parsed = Long.parseLong(s.trim());
    } else {
      problem(path, "must be an integer, got " + describe(value));
      return fallback;
    }
    if (parsed < min || parsed > max) {
      problem(path, "must be between " + min + " and " + max + ", got " + parsed);
      return fallback;
    }
    return parsed;
  }

  boolean bool(String path, boolean fallback) {
    Object value = raw(path);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s.trim());
    }
    problem(path, "must be true or false, got " + describe(value));
    return fallback;
  }

  int port(String path, int fallback, boolean zeroMeansOff) {
    return integer(path, fallback, zeroMeansOff ? 0 : 1, 65535);
  }

  <E extends Enum<E>> E choice(String path, Class<E> type, E fallback) {
    String value = optionalString(path);
    if (value == null) {
      return fallback;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value.trim())) {
        return constant;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      allowed.add(constant.name().toLowerCase(java.util.Locale.ROOT));
    }
    problem(path, "must be one of " + allowed + ", got \"" + value + "\"");
    return fallback;
  }

  <T> List<T> objects(String path, Function<JsonObject, T> each) {
    Object value = raw(path);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      problem(path, "must be a list");
      return List.of();
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (array.getValue(i) instanceof JsonObject object) {
        out.add(each.apply(object));
      } else {
        problem(path + "[" + i + "]", "must be an object");
      }
    }
    return out;
  }

  Object raw(String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      if (!(node instanceof JsonObject object)) {
        return null;
      }
      node = object.getValue(part);
    }
    return node;
  }

  private static String describe(Object value) {
    String text = String.valueOf(value);
    return text.length() > 40 ? "\"" + text.substring(0, 40) + "…\"" : "\"" + text + "\"";
  }
}
