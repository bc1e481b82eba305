package dev.postern.send;

import dev.postern.mail.InvalidValue;
import dev.postern.mail.UnsafeText;
import dev.postern.send.SendRequest.Attachment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code attachments}: at most {@value #MAX_ATTACHMENTS}, each {@code {filename, content,
 * content_type?}} with base64 content of at most {@value #MAX_DECODED_BYTES} bytes decoded.
 * Resend's {@code path} (fetch from a URL) is not supported: the gateway makes no outbound HTTP
 * requests on a client's behalf.
 */
final class AttachmentRules {

  static final int MAX_ATTACHMENTS = 10;
  static final long MAX_DECODED_BYTES = 25L * 1024 * 1024;
  static final int MAX_FILENAME = 255;
  static final String DEFAULT_TYPE = "application/octet-stream";

  // RFC 6838 §4.2 restricted-name; parameters as RFC 2045 §5.1 token or quoted printable ASCII.
  private static final String NAME = "[A-Za-z0-9!#$&^_.+\\-]{1,127}";
  private static final Pattern CONTENT_TYPE = Pattern.compile(
      NAME + "/" + NAME
          + "([ \\t]*;[ \\t]*" + NAME + "=(" + NAME + "|\"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*\"))*");

  private AttachmentRules() {}

  static List<Attachment> read(JsonObject body, Issues issues) {
    Optional<JsonArray> array = issues.optionalArray(body, "attachments", "attachments");
    if (array.isEmpty()) {
      return List.of();
    }
    if (array.get().size() > MAX_ATTACHMENTS) {
      issues.add("attachments", "must list at most " + MAX_ATTACHMENTS + " attachments");
      return List.of();
    }
    List<Attachment> out = new ArrayList<>();
    for (int i = 0; i < array.get().size(); i++) {
      String path = "attachments[" + i + "]";
      issues.objectAt(array.get(), i, path).flatMap(a -> one(a, path, issues)).ifPresent(out::add);
    }
    return out;
  }

  private static Optional<Attachment> one(JsonObject item, String path, Issues issues) {
    Optional<String> filename = issues.requiredString(item, "filename", path + ".filename")
        .flatMap(f -> issues.check(path + ".filename", f, AttachmentRules::filename));
    Optional<String> type = item.getValue("content_type") == null
        ? Optional.of(DEFAULT_TYPE)
        : issues.optionalString(item, "content_type", path + ".content_type")
            .flatMap(t -> issues.check(path + ".content_type", t, AttachmentRules::contentType));
    Optional<Base64Content.Normalised> content;
    if (item.getValue("content") == null && item.getValue("path") != null) {
      issues.add(path + ".content", "is required (attachments by path are not supported)");
      content = Optional.empty();
    } else {
      content = issues.requiredString(item, "content", path + ".content")
          .flatMap(c -> issues.check(path + ".content", c, AttachmentRules::content));
    }
    if (filename.isEmpty() || type.isEmpty() || content.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Attachment(
        filename.get(), type.get(), content.get().base64(), content.get().decodedSize()));
  }

  /** A plain file name: no path separators, no dot-only names, nothing that breaks a header. */
  static String filename(String name) {
    UnsafeText.requireHeaderSafe(name);
    if (name.isBlank()) {
      throw new InvalidValue("must not be empty");
    }
    if (name.codePointCount(0, name.length()) > MAX_FILENAME) {
      throw new InvalidValue("must be at most " + MAX_FILENAME + " characters");
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      throw new InvalidValue("must not contain a path separator");
    }
    if (name.chars().allMatch(c -> c == '.')) {
      throw new InvalidValue("must not be only dots");
    }
    return name;
  }

  static String contentType(String type) {
    String trimmed = type.strip();
    if (trimmed.length() > 255 || !CONTENT_TYPE.matcher(trimmed).matches()) {
      throw new InvalidValue("must be a media type like type/subtype");
    }
    return trimmed;
  }

  private static Base64Content.Normalised content(String base64) {
    Base64Content.Normalised n = Base64Content.normalise(base64);
    if (n.decodedSize() > MAX_DECODED_BYTES) {
      throw new InvalidValue("must be at most 25 MB once decoded");
    }
    return n;
  }
}
