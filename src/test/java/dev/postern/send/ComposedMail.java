package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;

/** Test fixture: parse a JSON body, compose it, and read the result back with mime4j. */
final class ComposedMail {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  final byte[] bytes;
  final Message message;

  private ComposedMail(byte[] bytes) {
    this.bytes = bytes;
    this.message = parse(bytes);
  }

  static SendRequest request(JsonObject body) {
    return new SendRequestParser(CLOCK).parse(body);
  }

  static ComposedMail of(JsonObject body) {
    return of(request(body));
  }

  static ComposedMail of(SendRequest request) {
    MimeComposer composer = new MimeComposer(new Random(7));
    MessageStamp stamp = new MessageStamp("<fixed-id@example.com>", NOW);
    Buffer buffer = composer.compose(request, stamp);
    return new ComposedMail(buffer.getBytes());
  }

  static JsonObject minimal() {
    return new JsonObject()
        .put("from", "Acme <noreply@acme.example>")
        .put("to", "user@example.com")
        .put("subject", "Hello")
        .put("text", "Hi there");
  }

  static Message parse(byte[] bytes) {
    try {
      DefaultMessageBuilder builder = new DefaultMessageBuilder();
      builder.setMimeEntityConfig(MimeConfig.custom().setStrictParsing(true).build());
      return builder.parseMessage(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String raw() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The top-level header names, in order. */
  List<String> headerNames() {
    List<String> names = new ArrayList<>();
    for (Field field : message.getHeader().getFields()) {
      names.add(field.getName());
    }
    return names;
  }

  String header(String name) {
    Field field = message.getHeader().getField(name);
    return field == null ? null : field.getBody();
  }

  /** Every line ends in CRLF, none longer than 998 octets, no bare CR or LF anywhere. */
  void assertWellFormedLines() {
    int lineLength = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '\r') {
        assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n').as("bare CR at " + i).isTrue();
        assertThat(lineLength).as("line length").isLessThanOrEqualTo(998);
        lineLength = 0;
        i++;
      } else {
        assertThat(b).as("bare LF at " + i).isNotEqualTo((byte) '\n');
        lineLength++;
      }
    }
    assertThat(lineLength).as("message ends with CRLF").isZero();
  }

  static String text(Entity entity) {
    Body body = entity.getBody();
    try (Reader reader = ((TextBody) body).getReader()) {
      StringBuilder out = new StringBuilder();
      char[] chunk = new char[4096];
      int n;
      while ((n = reader.read(chunk)) > 0) {
        out.append(chunk, 0, n);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] binary(Entity entity) {
    try (InputStream in = ((BinaryBody) entity.getBody()).getInputStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Entity> parts(Entity entity) {
    return ((Multipart) entity.getBody()).getBodyParts();
  }

  /** What a text part should decode to: line breaks canonicalised to CRLF. */
  static String canonical(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
  }
}
