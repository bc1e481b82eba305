package dev.postern.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Encodes response bodies by streaming the JSON tree straight into Jackson's generator. With
 * jackson-databind on the classpath (pom.xml says why) Vert.x's default codec encodes through an
 * ObjectMapper and its Map serializer instead: 35 % of the gateway's CPU samples when listing a
 * 50-message inbox page (bench inbox-list --profile, 2026-12-02). The bytes are the same for the
 * JSON types (objects, arrays, strings, numbers, booleans, null, Instant as ISO-8601, byte[] as
 * base64); a value only databind can map (a POJO) falls back to the default codec.
 */
final class JsonBodies {

  private static final JsonCodec STREAMING = new JacksonCodec();

  private JsonBodies() {}

  static Buffer encode(JsonObject body) {
    try {
      return STREAMING.toBuffer(body, false);
    } catch (EncodeException e) {
      return body.toBuffer();
    }
  }
}
