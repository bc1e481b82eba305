package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.HourWindow;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #4 over real HTTP: durable accept, status, batch, idempotency, quotas, hostile input. */
class SendApiIT {

  private static TestGateway gateway;
  private static Pool db;
  private static String sender;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    SqlSeed.mailbox(gateway.pgUrl(), "app@shop.example");
    SqlSeed.mailbox(gateway.pgUrl(), "other@else.example");
    sender = key(new JsonObject().put("mailbox", "app@shop.example").put("scope", "full_access")
        .put("rate_limit_per_hour", 100000));
    db = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(gateway.vertx()).build();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static String key(JsonObject request) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", request.copy().put("name", "t"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static JsonObject email() {
    return new JsonObject().put("from", "Shop <app@shop.example>").put("to", "alice@example.org")
        .put("subject", "Your receipt").put("text", "Thanks for your order.");
  }

  private static HttpResponse<String> post(String key, String path, String body, Map<String, String> headers) {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("Authorization", "Bearer " + key);
    all.put("Content-Type", "application/json");
    return gateway.send("POST", path, body, all);
  }

  private static HttpResponse<String> send(JsonObject body) {
    return post(sender, "/v1/emails", body.encode(), Map.of());
  }

  private static void assertValidation(HttpResponse<String> response, String path) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("name")).isEqualTo("validation_error");
    if (path != null) {
      assertThat(body.getJsonArray("issues").stream().map(i -> ((JsonObject) i).getString("path")))
          .as(response.body()).anyMatch(p -> p.startsWith(path));
    }
  }

  private static Row message(String id) {
    return db.preparedQuery("SELECT m.*, (SELECT count(*) FROM delivery_queue q WHERE q.message_id = m.id) AS queued "
        + "FROM outbound_messages m WHERE id = $1").execute(Tuple.of(UUID.fromString(id))).await().iterator().next();
  }

  @Test
  void acceptsDurablyAndReportsStatusPerRecipient() {
    HttpResponse<String> response = send(email().put("cc", new JsonArray().add("bob@example.org"))
        .put("bcc", "carol@example.org").put("reply_to", "help@shop.example")
        .put("tags", new JsonArray().add(new JsonObject().put("name", "kind").put("value", "receipt"))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String id = new JsonObject(response.body()).getString("id");
    assertThat(response.headers().firstValue("X-RateLimit-Limit")).hasValue("100000");

    Row row = message(id);
    // No relay is configured here, so delivery may already have deferred it; it stays queued.
    assertThat(row.getString("status")).isIn("queued", "deferred");
    assertThat(row.getLong("queued")).isEqualTo(1);
    String mime = row.getBuffer("mime_inline").toString();
    assertThat(mime).contains("Subject: Your receipt").contains("Message-ID: <").doesNotContain("carol@example.org");

    JsonObject status = new JsonObject(gateway.withKey(sender, "GET", "/v1/emails/" + id, null).body());
    assertThat(status.getString("object")).isEqualTo("email");
    assertThat(status.getString("status")).isIn("queued", "deferred");
    assertThat(status.getJsonArray("events").getJsonObject(0).getString("type")).isEqualTo("queued");
    assertThat(status.getJsonArray("bcc")).containsExactly("carol@example.org");
    assertThat(status.getJsonArray("recipients")).hasSize(3);
    assertThat(status.getJsonArray("events").getJsonObject(0).getString("type")).isEqualTo("queued");
    assertThat(status.getJsonArray("tags").getJsonObject(0).getString("value")).isEqualTo("receipt");
  }

  @Test
  void testKeyRunsTheWholePathAndEndsSandboxed() {
    String test = key(new JsonObject().put("mailbox", "app@shop.example").put("mode", "test").put("scope", "full_access"));
    HttpResponse<String> response = post(test, "/v1/emails", email().encode(), Map.of());
    assertThat(response.statusCode()).isEqualTo(200);
    String id = new JsonObject(response.body()).getString("id");
    Row row = message(id);
    assertThat(row.getString("status")).isEqualTo("sandboxed");
    assertThat(row.getLong("queued")).isZero();
    // Test keys consume their own quota like live keys, so 429 handling can be tested in sandbox.
    assertThat(response.headers().firstValue("X-RateLimit-Remaining")).hasValue("999");
  }

  @Test
  void scheduledMailStaysScheduledUntilDue() {
    HttpResponse<String> response = send(email().put("scheduled_at", "in 2 hours"));
    String id = new JsonObject(response.body()).getString("id");
    JsonObject status = new JsonObject(gateway.withKey(sender, "GET", "/v1/emails/" + id, null).body());
    assertThat(status.getString("status")).isEqualTo("scheduled");
    Instant at = Instant.parse(status.getString("scheduled_at"));
    assertThat(at).isBetween(Instant.now().plusSeconds(7100), Instant.now().plusSeconds(7300));
  }

  @Test
  void largeAttachmentIsStoredInTheBlobStore() {
    byte[] data = new byte[600 * 1024];
    new java.util.Random(7).nextBytes(data);
    HttpResponse<String> response = send(email().put("attachments", new JsonArray().add(new JsonObject()
        .put("filename", "report.bin").put("content", Base64.getEncoder().encodeToString(data)))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Row row = message(new JsonObject(response.body()).getString("id"));
    assertThat(row.getValue("mime_inline")).isNull();
    String blobKey = row.getString("blob_key");
    assertThat(blobKey).startsWith("out/");
    String stored = gateway.core().blobs().get(blobKey).await().toString();
    assertThat(stored).contains("filename=\"report.bin\"").contains("Subject: Your receipt");
    assertThat((long) stored.length()).isEqualTo(row.getLong("mime_size"));
    // The base64 went from the request body into the MIME without being decoded: it must still
    // decode to exactly the file.
    assertThat(attachment(stored, "report.bin")).isEqualTo(data);
  }

  @Test
  void attachmentWithJsonEscapesInItsBase64ArrivesIntact() {
    // JSON may escape '/' as "\/" (PHP's json_encode does): such base64 is decoded as JSON, not
    // viewed in place; either way the MIME must carry the same file.
    byte[] data = new byte[100 * 1024];
    new java.util.Random(11).nextBytes(data);
    String base64 = Base64.getEncoder().encodeToString(data);
    assertThat(base64).contains("/");
    String body = email().put("attachments", new JsonArray().add(new JsonObject()
        .put("filename", "escaped.bin").put("content", "CONTENT"))).encode()
        .replace("CONTENT", base64.replace("/", "\\/"));
    HttpResponse<String> response = post(sender, "/v1/emails", body, Map.of());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Row row = message(new JsonObject(response.body()).getString("id"));
    String stored = row.getValue("mime_inline") != null
        ? new String(row.getBuffer("mime_inline").getBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
        : gateway.core().blobs().get(row.getString("blob_key")).await().toString();
    assertThat(attachment(stored, "escaped.bin")).isEqualTo(data);
  }

  /** The decoded body of the part named {@code filename} in a composed message. */
  private static byte[] attachment(String mime, String filename) {
    int header = mime.indexOf("filename=\"" + filename + "\"");
    assertThat(header).as("part " + filename).isPositive();
    int start = mime.indexOf("\r\n\r\n", header) + 4;
    int end = mime.indexOf("\r\n--", start);
    return Base64.getMimeDecoder().decode(mime.substring(start, end));
  }

  @Test
  void batchIsAllOrNothingUnlessPermissive() {
    JsonArray batch = new JsonArray().add(email()).add(email().put("to", "dave@example.org"));
    HttpResponse<String> ok = post(sender, "/v1/emails/batch", batch.encode(), Map.of());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(new JsonObject(ok.body()).getJsonArray("data")).hasSize(2);

    JsonArray mixed = new JsonArray().add(email()).add(email().put("subject", "bad\r\nBcc: x@evil.example"));
    HttpResponse<String> strict = post(sender, "/v1/emails/batch", mixed.encode(), Map.of());
    assertValidation(strict, "[1].subject");

    HttpResponse<String> permissive = post(sender, "/v1/emails/batch", mixed.encode(),
        Map.of("x-batch-validation", "permissive"));
    assertThat(permissive.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(permissive.body());
    assertThat(body.getJsonArray("data")).hasSize(1);
    assertThat(body.getJsonArray("errors").getJsonObject(0).getInteger("index")).isEqualTo(1);

    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) {
      tooMany.add(email());
    }
    assertValidation(post(sender, "/v1/emails/batch", tooMany.encode(), Map.of()), "body");
  }

  @Test
  void idempotencyReplaysConflictsAndSendsOnceUnderConcurrency() throws Exception {
    String body = email().encode();
    HttpResponse<String> first = post(sender, "/v1/emails", body, Map.of("Idempotency-Key", "order-1"));
    HttpResponse<String> again = post(sender, "/v1/emails", body, Map.of("Idempotency-Key", "order-1"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(first.body());
    HttpResponse<String> different = post(sender, "/v1/emails", email().put("subject", "other").encode(),
        Map.of("Idempotency-Key", "order-1"));
    assertThat(different.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(different.body()).getString("name")).isEqualTo("idempotency_conflict");

    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        replies.add(pool.submit(() -> post(sender, "/v1/emails", body, Map.of("Idempotency-Key", "order-2"))));
      }
      Set<String> ids = ConcurrentHashMap.newKeySet();
      for (Future<HttpResponse<String>> reply : replies) {
        assertThat(reply.get().statusCode()).isEqualTo(200);
        ids.add(new JsonObject(reply.get().body()).getString("id"));
      }
      assertThat(ids).hasSize(1);
      long rows = db.preparedQuery("SELECT count(*) FROM outbound_messages WHERE id = $1")
          .execute(Tuple.of(UUID.fromString(ids.iterator().next()))).await().iterator().next().getLong(0);
      assertThat(rows).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void quotaOf100AcceptsExactly100Of1000ConcurrentSends() throws Exception {
    HourWindow.awaitRoomFor(Duration.ofMinutes(2));
    String limited = key(new JsonObject().put("mailbox", "app@shop.example").put("rate_limit_per_hour", 100));
    String body = email().encode();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        replies.add(pool.submit(() -> post(limited, "/v1/emails", body, Map.of())));
      }
      int accepted = 0;
      int limitedCount = 0;
      for (Future<HttpResponse<String>> reply : replies) {
        HttpResponse<String> r = reply.get();
        if (r.statusCode() == 200) {
          accepted++;
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
          JsonObject error = new JsonObject(r.body());
          assertThat(error.getString("name")).isEqualTo("rate_limited");
          assertThat(error.getLong("limit")).isEqualTo(100);
          assertThat(r.headers().firstValue("Retry-After")).isPresent();
          assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
          limitedCount++;
        }
      }
      assertThat(accepted).isEqualTo(100);
      assertThat(limitedCount).isEqualTo(900);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void senderAndScopeAreEnforced() {
    HttpResponse<String> outside = send(email().put("from", "ceo@else.example"));
    assertThat(outside.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(outside.body()).getString("name")).isEqualTo("forbidden_sender");

    String readOnly = key(new JsonObject().put("mailbox", "app@shop.example").put("scope", "read_only"));
    HttpResponse<String> denied = post(readOnly, "/v1/emails", email().encode(), Map.of());
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(denied.body()).getString("name")).isEqualTo("forbidden_scope");

    String sendOnly = key(new JsonObject().put("mailbox", "app@shop.example"));
    String id = new JsonObject(send(email()).body()).getString("id");
    HttpResponse<String> noRead = gateway.withKey(sendOnly, "GET", "/v1/emails/" + id, null);
    assertThat(noRead.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(noRead.body()).getString("name")).isEqualTo("forbidden_scope");
  }

  /** Issue #15.7: a test key and a live key of the same mailbox do not see each other's mail. */
  @Test
  void testAndLiveKeysDoNotSeeEachOthersMessages() {
    String test = key(new JsonObject().put("mailbox", "app@shop.example").put("mode", "test")
        .put("scope", "full_access"));
    String live = new JsonObject(send(email()).body()).getString("id");
    String sandboxed = new JsonObject(post(test, "/v1/emails", email().encode(), Map.of()).body())
        .getString("id");
    // Each key reads its own mode's message (the positive signal), then not the other's.
    assertThat(gateway.withKey(sender, "GET", "/v1/emails/" + live, null).statusCode()).isEqualTo(200);
    assertThat(gateway.withKey(test, "GET", "/v1/emails/" + sandboxed, null).statusCode()).isEqualTo(200);
    HttpResponse<String> unknown = gateway.withKey(test, "GET", "/v1/emails/" + UUID.randomUUID(), null);
    HttpResponse<String> liveByTest = gateway.withKey(test, "GET", "/v1/emails/" + live, null);
    HttpResponse<String> testByLive = gateway.withKey(sender, "GET", "/v1/emails/" + sandboxed, null);
    assertThat(liveByTest.statusCode()).isEqualTo(404);
    assertThat(liveByTest.body()).isEqualTo(unknown.body());
    assertThat(testByLive.statusCode()).isEqualTo(404);
    assertThat(testByLive.body()).isEqualTo(unknown.body());
  }

  @Test
  void anotherMailboxesMessageIsIndistinguishableFromAnUnknownOne() {
    String id = new JsonObject(send(email()).body()).getString("id");
    String stranger = key(new JsonObject().put("mailbox", "other@else.example").put("scope", "full_access"));
    HttpResponse<String> foreign = gateway.withKey(stranger, "GET", "/v1/emails/" + id, null);
    HttpResponse<String> unknown = gateway.withKey(stranger, "GET", "/v1/emails/" + UUID.randomUUID(), null);
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(foreign.body()).isEqualTo(unknown.body());
    assertThat(gateway.withKey(stranger, "GET", "/v1/emails/%2e%2e%2f" + id, null).statusCode()).isEqualTo(404);
    assertThat(gateway.withKey(stranger, "GET", "/v1/emails/not-an-id", null).statusCode()).isEqualTo(404);
  }

  @Test
  void hostileInputIsRefusedWithTheFieldNamed() {
    assertValidation(send(email().put("subject", "hi\r\nBcc: victim@example.org")), "subject");
    assertValidation(send(email().put("subject", "line\u2028sep")), "subject");
    assertValidation(send(email().put("from", "Shop\r\nX-Evil: 1 <app@shop.example>")), "from");
    assertValidation(send(email().put("to", "a@b>\r\nRCPT TO:<x@evil>")), "to");
    assertValidation(send(email().put("to", "x".repeat(65) + "@example.org")), "to");
    assertValidation(send(email().put("headers", new JsonObject().put("X-Ok", "a\r\nBcc: x@evil.example"))), "headers");
    assertValidation(send(email().put("headers", new JsonObject().put("Bcc", "x@evil.example"))), "headers");
    JsonArray fiftyOne = new JsonArray();
    for (int i = 0; i < 51; i++) {
      fiftyOne.add("r" + i + "@example.org");
    }
    assertValidation(send(email().put("to", fiftyOne)), "to");
    assertValidation(post(sender, "/v1/emails",
        "{\"from\":\"app@shop.example\",\"from\":\"x@evil.example\",\"to\":\"a@example.org\",\"subject\":\"s\",\"text\":\"t\"}",
        Map.of()), "body");
    assertValidation(post(sender, "/v1/emails", "[".repeat(100_000), Map.of()), "body");
    assertValidation(post(sender, "/v1/emails", "{\"n\": 1e999999}", Map.of()), "body");
    assertValidation(post(sender, "/v1/emails", "{\"s\": \"\\ud800\"}", Map.of()), "body");
    assertValidation(post(sender, "/v1/emails", "{\"from\": ", Map.of()), "body");
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(new JsonObject().put("filename", "f" + i + ".txt").put("content", "aGVsbG8="));
    }
    assertValidation(send(email().put("attachments", eleven)), "attachments");
    assertValidation(send(email().put("attachments", new JsonArray().add(
        new JsonObject().put("filename", "../etc/passwd").put("content", "aGVsbG8=")))), "attachments");
    assertValidation(send(email().put("attachments", new JsonArray().add(
        new JsonObject().put("filename", "ok.txt").put("content", "not base64!!")))), "attachments");
    // Server-owned fields are ignored, never applied.
    HttpResponse<String> owned = send(email().put("id", "00000000-0000-0000-0000-000000000000")
        .put("status", "delivered").put("key_id", UUID.randomUUID().toString()));
    assertThat(owned.statusCode()).isEqualTo(200);
    String id = new JsonObject(owned.body()).getString("id");
    assertThat(id).isNotEqualTo("00000000-0000-0000-0000-000000000000");
    assertThat(message(id).getString("status")).isIn("queued", "deferred");
    // The gateway keeps serving.
    assertThat(send(email()).statusCode()).isEqualTo(200);
  }

  @Test
  void bodyOverTheLimitIs413BeforeItIsSent() throws Exception {
    // Declares a body one byte over the limit and sends none of it: the refusal cannot wait for it.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.config().http().port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/emails HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + sender
          + "\r\nContent-Type: application/json\r\nContent-Length: " + (gateway.config().http().maxBodyBytes() + 1)
          + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] head = new byte[12];
      int read = socket.getInputStream().readNBytes(head, 0, 12);
      assertThat(new String(head, 0, read, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 413");
    }
    assertThat(send(email()).statusCode()).isEqualTo(200);
  }
}
