package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Messages over the inline limit go to the blob store by one of two paths
 * ({@link ComposedMimeStore}): up to about 1 MB composed whole in memory, larger ones composed
 * on a CPU worker into a pipe that a pipe-reader thread drains into the blob store. Both must
 * take many at once — more pipe messages than there are pipe readers once stalled the gateway
 * for good (found by KillDuringSendLoadIT: composers blocked on full pipes, readers blocked on
 * pipes whose composers were queued) — and both must refuse a composed message over the
 * configured size cap with 413 {@code payload_too_large}, storing nothing.
 */
class ConcurrentLargeSendsIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestGateway gateway;
  private static String key;

  @BeforeAll
  static void start() {
    // 1 MiB: over the 300 KB attachments composed (0.4 MB), under what the refusal test sends.
    gateway = TestGateway.start(Map.of(), new JsonObject().put("smtp",
        new JsonObject().put("max_message_bytes", CAP)));
    SqlSeed.mailbox(gateway.pgUrl(), "app@shop.example");
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject().put("name", "t")
        .put("mailbox", "app@shop.example").put("scope", "full_access").put("rate_limit_per_hour", 100000));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    key = new JsonObject(created.body()).getString("key");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static final int CAP = 1024 * 1024;

  private static JsonObject largeEmail(int n) {
    return emailWith(n, 300 * 1024);
  }

  private static JsonObject emailWith(int n, int attachmentBytes) {
    byte[] file = new byte[attachmentBytes];
    new Random(n).nextBytes(file);
    return new JsonObject().put("from", "app@shop.example").put("to", "rcpt" + n + "@dest.test")
        .put("subject", "large " + n).put("text", "see attached")
        .put("attachments", new JsonArray().add(new JsonObject().put("filename", "f" + n + ".bin")
            .put("content", Base64.getEncoder().encodeToString(file))));
  }

  private static CompletableFuture<HttpResponse<String>> post(String path, String body) {
    return post(gateway, key, path, body);
  }

  private static CompletableFuture<HttpResponse<String>> post(TestGateway to, String bearer,
      String path, String body) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(to.baseUrl() + path))
        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thirtyTwoLargeSendsAtOnceAreAllAccepted() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      replies.add(post("/v1/emails", largeEmail(i).encode()));
    }
    for (CompletableFuture<HttpResponse<String>> reply : replies) {
      HttpResponse<String> response = reply.get(90, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  @Test
  void moreMessagesOverTheInMemoryLimitThanPipeReadersAreAllAcceptedUpToTheCap() throws Exception {
    // 0.9 MB attachments: about 1.2 MB as base64, over the in-memory limit, so each is measured
    // and piped; 12 at once is more than the 8 pipe readers. Composed they are over CAP, so
    // these go to a second gateway with the default cap.
    try (TestGateway uncapped = TestGateway.start()) {
      SqlSeed.mailbox(uncapped.pgUrl(), "app@shop.example");
      HttpResponse<String> created = uncapped.admin("POST", "/admin/v1/keys", new JsonObject()
          .put("name", "t").put("mailbox", "app@shop.example").put("scope", "full_access")
          .put("rate_limit_per_hour", 100000));
      String bigKey = new JsonObject(created.body()).getString("key");
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        replies.add(post(uncapped, bigKey, "/v1/emails", emailWith(200 + i, 900 * 1024).encode()));
      }
      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        HttpResponse<String> response = reply.get(90, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }
    }
  }

  @Test
  void aComposedMessageOverTheCapIsRefusedOnEitherPath() throws Exception {
    // 800 KiB attachment: 1.09 MB of base64, over the in-memory limit (measured, then refused);
    // 775 000 bytes: 1 033 336 chars of base64, under the in-memory limit (1 MiB), composed in
    // memory with line breaks to about 1.06 MB, over the 1 MiB cap.
    for (int size : new int[] {800 * 1024, 775_000}) {
      HttpResponse<String> response = post("/v1/emails", emailWith(300 + size, size).encode())
          .get(90, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
      assertThat(new JsonObject(response.body()).getString("name")).isEqualTo("payload_too_large");
      assertThat(new JsonObject(response.body()).getString("message"))
          .contains("the composed message is").contains("the limit is " + CAP);
    }
  }

  @Test
  void oneBatchOfTwentyLargeEmailsIsAccepted() throws Exception {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 20; i++) {
      batch.add(largeEmail(100 + i));
    }
    HttpResponse<String> response = post("/v1/emails/batch", batch.encode()).get(90, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getJsonArray("data")).hasSize(20);
  }
}
