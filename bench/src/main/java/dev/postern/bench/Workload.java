package dev.postern.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** What is sent: each workload turns the options into one {@link RequestTemplate}. */
enum Workload {
  /** Authenticated GET (Postern's /v1/emails/_ping); the key is mandatory. */
  PING,
  /** POST of a Resend-shaped send body (SPEC §3) to any URL: Postern's /v1/emails or /echo. */
  SEND,
  /** Plain GET of any URL, e.g. the bare route's /ping. */
  GET,
  /** POST of a JSON document of a given size to any URL. */
  POST_JSON;

  static Workload parse(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** The options a workload may read; unused ones are ignored. */
  record Spec(String url, String key, String from, List<String> to, long textBytes,
      long attachBytes, long jsonBytes) {}

  RequestTemplate template(Spec spec) {
    URI uri = LoopbackTarget.require(spec.url());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (spec.key() != null && !spec.key().isBlank()) {
      headers.set("Authorization", "Bearer " + spec.key());
    } else if (this == PING) {
      throw new IllegalArgumentException("ping needs --key or POSTERN_BENCH_KEY");
    }
    HttpMethod method = (this == PING || this == GET) ? HttpMethod.GET : HttpMethod.POST;
    Buffer body = switch (this) {
      case SEND -> sendBody(spec);
      case POST_JSON -> paddedJson(spec.jsonBytes());
      default -> null;
    };
    if (body != null) {
      headers.set("Content-Type", "application/json");
    }
    String path = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    return new RequestTemplate(method, uri.getHost(), port, target, headers, body, List.of());
  }

  static Buffer sendBody(Spec spec) {
    JsonObject email = new JsonObject()
        .put("from", spec.from())
        .put("to", new JsonArray(spec.to()))
        .put("subject", "Postern bench message")
        .put("text", filler(spec.textBytes()));
    if (spec.attachBytes() > 0) {
      byte[] raw = new byte[Math.toIntExact(spec.attachBytes())];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = (byte) (i * 31 + 7);
      }
      email.put("attachments", new JsonArray().add(new JsonObject()
          .put("filename", "bench.bin")
          .put("content", Base64.getEncoder().encodeToString(raw))));
    }
    return email.toBuffer();
  }

  /** A JSON object whose encoded size is exactly {@code bytes} (at least its 12-byte frame). */
  static Buffer paddedJson(long bytes) {
    String frame = "{\"data\":\"\"}";
    long pad = Math.max(0, bytes - frame.length());
    return Buffer.buffer("{\"data\":\"" + "x".repeat(Math.toIntExact(pad)) + "\"}");
  }

  /** Readable text in 76-character lines, so a MIME composer has nothing to re-wrap. */
  static String filler(long bytes) {
    String words = "The quick brown fox jumps over the lazy dog while the bench counts. ";
    StringBuilder text = new StringBuilder(Math.toIntExact(bytes));
    int column = 0;
    for (int i = 0; text.length() < bytes; i++) {
      if (column == 75) {
        text.append('\n');
        column = 0;
      } else {
        text.append(words.charAt(i % words.length()));
        column++;
      }
    }
    return text.toString();
  }
}
