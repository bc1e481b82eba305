package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The streaming encoder writes the same bytes as Vert.x's default codec, and never fails where it would not. */
class JsonBodiesTest {

  @Test
  void sameBytesAsTheDefaultCodecForJsonValues() {
    JsonObject body = new JsonObject()
        .put("s", "a \"quoted\" \u00e9 \u2028 \ud83d\ude00 \u0000 line\nbreak")
        .put("n", 42).put("l", Long.MAX_VALUE).put("d", 1.5).put("b", true).putNull("z")
        .put("t", Instant.parse("2026-12-02T16:20:00.123456Z"))
        .put("bytes", new byte[] {0, 1, 2, (byte) 255})
        .put("a", new JsonArray().add(1).add("x").add(new JsonObject().put("k", "v")).addNull());
    assertThat(JsonBodies.encode(body).toString()).isEqualTo(body.toBuffer().toString());
  }

  record Pojo(String name) {}

  @Test
  void aValueOnlyDatabindCanMapFallsBackToTheDefaultCodec() {
    JsonObject body = new JsonObject().put("p", new Pojo("x"));
    assertThat(JsonBodies.encode(body).toString()).isEqualTo(body.toBuffer().toString());
  }
}
