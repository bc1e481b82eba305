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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large messages are composed on a CPU worker into a pipe that a pipe-reader thread drains into
 * the blob store. More large messages at once than there are pipe readers must still all be
 * accepted: found by KillDuringSendLoadIT, where 24 concurrent senders stalled the gateway for
 * good (composers blocked on full pipes, readers blocked on pipes whose composers were queued).
 */
class ConcurrentLargeSendsIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestGateway gateway;
  private static String key;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
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

  private static JsonObject largeEmail(int n) {
    byte[] file = new byte[300 * 1024];
    new Random(n).nextBytes(file);
    return new JsonObject().put("from", "app@shop.example").put("to", "rcpt" + n + "@dest.test")
        .put("subject", "large " + n).put("text", "see attached")
        .put("attachments", new JsonArray().add(new JsonObject().put("filename", "f" + n + ".bin")
            .put("content", Base64.getEncoder().encodeToString(file))));
  }

  private static CompletableFuture<HttpResponse<String>> post(String path, String body) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
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
