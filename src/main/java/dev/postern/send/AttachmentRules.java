package dev.postern.send;

import dev.postern.mail.InvalidValue;
import dev.postern.mail.UnsafeText;
import dev.postern.send.SendRequest.Attachment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
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
  private static final String PARAMETER = "[ \\t]*;[ \\t]*(" + NAME + ")=(" + NAME
      + "|\"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*\")";
  private static final Pattern CONTENT_TYPE = Pattern.compile(
      "(" + NAME + ")/" + NAME + "((?:" + PARAMETER + ")*)");
  private static final Pattern ONE_PARAMETER = Pattern.compile(PARAMETER);

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
      content = issues.requiredText(item, "content", path + ".content")
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

  /**
   * A single-part media type with its parameters (issue #15.6). {@code multipart/*} and
   * {@code message/*} are refused: an attachment is one leaf part, and those types would make
   * readers parse its content as more MIME structure (RFC 2046 §5). {@code name} and
   * {@code filename} parameters are dropped: the part is named by {@code filename} alone
   * ({@link AttachmentHeaders}), so the name a reader shows cannot differ from the one checked.
   */
  static String contentType(String type) {
    String trimmed = type.strip();
    Matcher whole = CONTENT_TYPE.matcher(trimmed);
    if (trimmed.length() > 255 || !whole.matches()) {
      throw new InvalidValue("must be a media type like type/subtype");
    }
    String top = whole.group(1).toLowerCase(Locale.ROOT);
    if (top.equals("multipart") || top.equals("message")) {
      throw new InvalidValue("must be a single-part media type, not " + top + "/*");
    }
    StringBuilder kept = new StringBuilder(trimmed.substring(0, whole.start(2)));
    Matcher parameter = ONE_PARAMETER.matcher(whole.group(2));
    while (parameter.find()) {
      String attribute = parameter.group(1).toLowerCase(Locale.ROOT);
      if (!attribute.equals("name") && !attribute.equals("filename")) {
        kept.append("; ").append(parameter.group(1)).append('=').append(parameter.group(2));
      }
    }
    return kept.toString();
  }

  private static Base64Content.Normalised content(CharSequence base64) {
    Base64Content.Normalised n = Base64Content.normalise(base64);
    if (n.decodedSize() > MAX_DECODED_BYTES) {
      throw new InvalidValue("must be at most 25 MB once decoded");
    }
    return n;
  }
}
