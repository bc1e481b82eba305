package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.postern.refusal.Issue;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TESTING.md REST 2 (duplicate keys) and 4: hostile JSON ends in 400 with bounded memory. */
class RequestJsonTest {

  private final RequestJson json = new RequestJson();

  private Refusal rejected(byte[] body) {
    Refusal e = catchThrowableOfType(Refusal.class, () -> json.object(body));
    assertThat(e).as("expected a validation error").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.INVALID);
    assertThat(e.issues()).singleElement().extracting(Issue::path).isEqualTo("body");
    return e;
  }

  private Refusal rejected(String body) {
    return rejected(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesAnOrdinarySendBody() {
    JsonObject body = json.object(
        "{\"from\":\"a@b.example\",\"to\":[\"c@d.example\"],\"n\":1,\"f\":1.5,\"t\":true,\"z\":null}"
            .getBytes(StandardCharsets.UTF_8));
    assertThat(body.getString("from")).isEqualTo("a@b.example");
    assertThat(body.getJsonArray("to").getString(0)).isEqualTo("c@d.example");
    assertThat(body.getValue("n")).isEqualTo(1L);
    assertThat(body.getDouble("f")).isEqualTo(1.5);
    assertThat(body.getBoolean("t")).isTrue();
    assertThat(body.containsKey("z")).isTrue();
  }

  @Test
  void decodesBatchArrays() {
    assertThat(json.array(Buffer.buffer("[{\"a\":1},{\"b\":2}]"))).hasSize(2);
  }

  @Test
  void rejectsDuplicateKeys() {
    assertThat(rejected("{\"to\":\"a@b.example\",\"to\":\"x@evil.example\"}").issues().get(0)
        .message()).contains("duplicate").contains("\"to\"");
  }

  @Test
  void rejectsDuplicateKeysInNestedObjects() {
    rejected("{\"headers\":{\"X-A\":\"1\",\"X-A\":\"2\"}}");
  }

  @Test
  void rejects100000DeepNestingWithoutStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThat(rejected("{\"a\":" + deep + "}").issues().get(0).message()).contains("nested");
    rejected("{\"a\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_001));
  }

  @Test
  void rejectsAMillionKeysAfterTheMemberLimit() {
    StringBuilder body = new StringBuilder(16_000_000).append('{');
    for (int i = 0; i < 1_000_000; i++) {
      body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
    }
    body.append('}');
    assertThat(rejected(body.toString()).issues().get(0).message()).contains("members");
  }

  @Test
  void rejectsHugeArraysByTokenCount() {
    String body = "{\"a\":[" + "0,".repeat(300_000) + "0]}";
    assertThat(rejected(body).issues().get(0).message()).contains("tokens");
  }

  @Test
  void rejectsNumbersThatOverflow() {
    rejected("{\"a\":1e999999}");
    rejected("{\"a\":-1e999999}");
    rejected("{\"a\":123456789012345678901234567890}");
    rejected("{\"a\":" + "9".repeat(100_000) + "}");
    rejected("{\"a\":NaN}");
  }

  @Test
  void rejectsLoneSurrogatesInStringsAndKeys() {
    rejected("{\"a\":\"\\ud800\"}");
    rejected("{\"a\":\"x\\udc00y\"}");
    rejected("{\"\\ud83d\":1}");
    assertThat(json.object("{\"a\":\"\\ud83c\\udf89\"}".getBytes(StandardCharsets.UTF_8))
        .getString("a")).isEqualTo("🎉");
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] overlong = {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
    byte[] surrogate = {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
    byte[] truncated = {'{', '"', 'a', '"', ':', '"', (byte) 0xE2, (byte) 0x82, '"', '}'};
    byte[] tooHigh = {'{', '"', 'a', '"', ':', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80,
        (byte) 0x80, '"', '}'};
    byte[] stray = {'{', '"', 'a', '"', ':', '"', (byte) 0x80, '"', '}'};
    for (byte[] body : new byte[][] {overlong, surrogate, truncated, tooHigh, stray}) {
      assertThat(rejected(body).issues().get(0).message()).contains("UTF-8");
    }
  }

  @Test
  void rejectsUtf16AndNulBytes() {
    rejected("{\"a\":1}".getBytes(StandardCharsets.UTF_16BE));
    rejected("{\"a\":1}".getBytes(StandardCharsets.UTF_16LE));
    rejected(new byte[] {'{', '}', 0});
  }

  @Test
  void rejectsMalformedEmptyAndTrailingContent() {
    rejected("");
    rejected("   ");
    rejected("{");
    rejected("{\"a\":1,}");
    rejected("{'a':1}");
    rejected("{} {}");
    rejected("{}x");
    rejected("[]");
    rejected("\"text\"");
  }

  @Test
  void errorMessagesDoNotEchoTheInput() {
    Refusal e = rejected("{\"secret-token-123\": nope}");
    assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("nope");
  }

  // RequestJson.viewing: long plain values of the named members are views of the body.

  private static final RequestJson VIEWING = RequestJson.viewing("content");

  private static String base64(int octets) {
    byte[] bytes = new byte[octets];
    new java.util.Random(octets).nextBytes(bytes);
    return java.util.Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void aLongPlainValueOfAViewedMemberIsAViewOfTheBody() {
    String content = base64(200 * 1024);
    byte[] body = ("{\"attachments\":[{\"filename\":\"a.bin\",\"content\":\"" + content
        + "\"}],\"subject\":\"" + content + "\"}").getBytes(StandardCharsets.US_ASCII);
    Buffer buffer = Buffer.buffer(body);
    JsonObject parsed = VIEWING.object(buffer);
    Object value = parsed.getJsonArray("attachments").getJsonObject(0).getValue("content");
    assertThat(value).isInstanceOf(AsciiText.class).hasToString(content);
    assertThat(((AsciiText) value).array()).isSameAs(dev.postern.blob.BufferViews.arrayOf(buffer).array());
    // Only members so named: the same text elsewhere is an ordinary String.
    assertThat(parsed.getValue("subject")).isInstanceOf(String.class).isEqualTo(content);
    // Vert.x still gives the view as a String to whoever asks for one.
    assertThat(parsed.getJsonArray("attachments").getJsonObject(0).getString("content"))
        .isEqualTo(content);
  }

  @Test
  void shortEscapedOrNonAsciiValuesAreDecodedAsUsual() {
    String content = base64(30 * 1024);
    String escaped = content.substring(0, 20_000) + "\\/" + content.substring(20_000);
    JsonObject e = VIEWING.object(("{\"content\":\"" + escaped + "\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(e.getValue("content")).isInstanceOf(String.class)
        .isEqualTo(content.substring(0, 20_000) + "/" + content.substring(20_000));
    JsonObject wide = VIEWING.object(("{\"content\":\"" + content + "\u00e9\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(wide.getValue("content")).isInstanceOf(String.class).isEqualTo(content + "\u00e9");
    JsonObject small = VIEWING.object("{\"content\":\"aGk=\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(small.getValue("content")).isEqualTo("aGk=");
  }

  @Test
  void aViewedMemberIsStillCheckedAsJson() {
    String content = base64(30 * 1024);
    // A raw control char inside the value, and a value that never ends: both are invalid JSON.
    Refusal control = catchThrowableOfType(Refusal.class, () -> VIEWING.object(
        ("{\"content\":\"" + content.substring(0, 20_000) + "\u0001" + content.substring(20_000)
            + "\"}").getBytes(StandardCharsets.UTF_8)));
    assertThat(control).isNotNull();
    assertThat(control.reason()).isEqualTo(Reason.INVALID);
    Refusal open = catchThrowableOfType(Refusal.class, () -> VIEWING.object(
        ("{\"content\":\"" + content).getBytes(StandardCharsets.UTF_8)));
    assertThat(open).isNotNull();
    Refusal unclosed = catchThrowableOfType(Refusal.class, () -> VIEWING.object(
        ("{\"content\":\"" + content + "\"").getBytes(StandardCharsets.UTF_8)));
    assertThat(unclosed).isNotNull();
    // A view inside a body given with an offset (a slice of a larger buffer).
    byte[] padded = ("xxxx{\"content\":\"" + content + "\"}").getBytes(StandardCharsets.US_ASCII);
    Buffer slice = Buffer.buffer(padded).slice(4, padded.length);
    assertThat(VIEWING.object(slice).getValue("content")).hasToString(content);
  }
}
