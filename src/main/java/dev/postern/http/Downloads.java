package dev.postern.http;

import dev.postern.inbound.inbox.Download;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Writes stored octets to a client without letting them act as a page of ours: the stored media
 * type only when it is a plain {@code type/subtype}, {@code X-Content-Type-Options: nosniff}, a
 * sandboxing Content-Security-Policy, and for attachments always
 * {@code Content-Disposition: attachment} with an escaped filename (RFC 6266 §4.3 with the
 * RFC 8187 {@code filename*} form for non-ASCII names).
 */
final class Downloads {

  /** RFC 6838 §4.2 restricted names, lower case, nothing after the subtype. */
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
  /** RFC 8187 §3.2.1 attr-char: what may stay unencoded in {@code filename*}. */
  private static final String ATTR_CHARS = "!#$&+-.^_`|~";

  private Downloads() {}

  static void send(HttpServerResponse response, Download download) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, mediaType(download.contentType()))
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'none'; sandbox");
    if (download.filename() != null) {
      response.putHeader("Content-Disposition", attachment(download.filename()));
    }
    if (download.inline() != null) {
      response.end(download.inline());
      return;
    }
    // The stored size is not trusted as a Content-Length: a short blob would hang the client.
    response.setChunked(true);
    download.stream().pipeTo(response).onFailure(e -> {
      if (!response.ended() && !response.closed()) {
        response.reset();
      }
    });
  }

  static String mediaType(String stored) {
    String type = stored == null ? "" : stored.trim().toLowerCase(Locale.ROOT);
    return MEDIA_TYPE.matcher(type).matches() ? type : "application/octet-stream";
  }

  /** {@code attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded}. */
  static String attachment(String filename) {
    StringBuilder clean = new StringBuilder();
    filename.codePoints().forEach(c -> clean.appendCodePoint(
        Character.isISOControl(c) || c == '"' || c == '\\' || c == '/' || c == 0x2028 || c == 0x2029
            ? '_' : c));
    String name = clean.toString().strip();
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      name = "attachment";
    }
    StringBuilder ascii = new StringBuilder();
    name.chars().forEach(c -> ascii.append(c >= 0x20 && c < 0x7f ? (char) c : '_'));
    StringBuilder encoded = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || ATTR_CHARS.indexOf(c) >= 0) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }
}
