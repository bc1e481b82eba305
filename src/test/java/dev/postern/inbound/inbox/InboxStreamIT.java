package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.Eventually;
import dev.postern.support.ExternalProgram;
import dev.postern.support.FaultProxy;
import dev.postern.support.InboxSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14 item 5, GET /v1/inbox/stream: the npm {@code eventsource} client (with the
 * Authorization header) gets {@code new_email} within a second of the store's commit
 * announcement, and after a forced disconnect resumes with Last-Event-ID missing nothing and
 * repeating nothing; another node's change arrives through NOTIFY; per-key bound; a revoked key's
 * stream ends. Messages are filed with SQL and announced the way the store announces them (event
 * bus on this node, {@code postern_mail} NOTIFY for the others).
 */
class InboxStreamIT {

  static final String PACKAGE = "eventsource@4.1.1";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path project;
  private static TestGateway gateway;
  private static InboxSeed seed;
  private static UUID bot;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(Map.of(), new JsonObject().put("inbox", new JsonObject()
        .put("stream_heartbeat_seconds", 1).put("stream_max_per_key", 2)));
    seed = new InboxSeed(gateway);
    bot = seed.mailbox("bot@stream.test", "plaintext");
  }

  @AfterAll
  static void stop() {
    if (seed != null) {
      seed.close();
    }
    gateway.close();
  }

  private static String key(String mailbox) {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "s").put("mailbox", mailbox).put("scope", "full_access"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  /** Files a message and announces it as the store does after its commit on this node. */
  private static InboxSeed.Filed arrive(UUID mailbox, String subject) {
    InboxSeed.Filed filed = seed.file(mailbox, InboxSeed.mail().subject(subject).receivedAt(Instant.now()));
    gateway.vertx().eventBus().publish(MailChange.BUS_ADDRESS, new JsonObject()
        .put("mailbox_id", mailbox.toString()).put("seq", 0).put("kind", "new")
        .put("message_id", filed.id().toString()));
    return filed;
  }

  @Test
  void eventSourceGetsNewMailWithinASecondAndResumesAfterADisconnectMissingNothing() throws Exception {
    assumeTrue(ExternalProgram.runs("node", "--version"), "node is not installed");
    assumeTrue(ExternalProgram.runs("npm", "--version"), "npm is not installed");
    Files.writeString(project.resolve("package.json"), "{\"name\": \"postern-sse-check\", \"private\": true}\n");
    ExternalProgram.succeed(project, Duration.ofMinutes(5), Map.of(),
        "npm", "install", "--no-audit", "--no-fund", PACKAGE);
    try (InputStream script = InboxStreamIT.class.getResourceAsStream("/inbox/eventsource-follow.mjs")) {
      Files.write(project.resolve("eventsource-follow.mjs"), script.readAllBytes());
    }
    String key = key("bot@stream.test");
    try (FaultProxy proxy = FaultProxy.to("127.0.0.1", gateway.config().http().port());
        SseFollower follower = new SseFollower(project, "http://127.0.0.1:" + proxy.port(), key)) {
      JsonObject connected = follower.next("connected", Duration.ofSeconds(20));
      assertThat(connected.getJsonObject("data").getString("mailbox")).isEqualTo("bot@stream.test");
      long start = Long.parseLong(connected.getString("id"));

      long before = System.currentTimeMillis();
      InboxSeed.Filed first = arrive(bot, "live one");
      JsonObject news = follower.next("new_email", Duration.ofSeconds(5));
      assertThat(news.getLong("at") - before).as("new_email latency (ms)").isLessThan(1000);
      JsonObject item = news.getJsonObject("data");
      assertThat(item.getString("id")).isEqualTo(first.id().toString());
      assertThat(item.getString("subject")).isEqualTo("live one");
      assertThat(item.fieldNames()).contains("id", "message_id", "from", "to", "subject", "preview",
          "received_at", "folder", "is_read", "is_starred", "has_attachments", "size_bytes", "thread_id");
      assertThat(Long.parseLong(news.getString("id"))).isEqualTo(start + 1);

      // Forced disconnect: the connection is cut and the port refuses while three messages arrive.
      proxy.down();
      follower.next("error", Duration.ofSeconds(10));
      List<String> missed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        missed.add(arrive(bot, "while away " + i).id().toString());
      }
      proxy.pass();
      List<String> got = new ArrayList<>();
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        JsonObject event = follower.next("new_email", Duration.ofSeconds(20));
        got.add(event.getJsonObject("data").getString("id"));
        ids.add(Long.parseLong(event.getString("id")));
      }
      assertThat(got).containsExactlyElementsOf(missed);
      assertThat(ids).containsExactly(start + 2, start + 3, start + 4);
      // Nothing repeated: the next new_email is the next message.
      InboxSeed.Filed after = arrive(bot, "after");
      assertThat(follower.next("new_email", Duration.ofSeconds(5)).getJsonObject("data").getString("id"))
          .isEqualTo(after.id().toString());
      assertThat(follower.seen().stream().filter(e -> e.getString("type").equals("connected")).count())
          .isEqualTo(2);
      assertThat(follower.seen().stream().filter(e -> e.getString("type").equals("new_email")).count())
          .isEqualTo(5);
    }
  }

  @Test
  void anotherNodesChangeArrivesThroughNotifyAndUpdatesAreEvents() throws Exception {
    UUID box = seed.mailbox("notify@stream.test", "plaintext");
    String key = key("notify@stream.test");
    try (JavaSse stream = JavaSse.open(gateway.baseUrl(), key, null)) {
      stream.next("connected");
      // The seed's store is another node's: its commits reach this gateway only by NOTIFY.
      InboxSeed.Filed filed = seed.file(box, InboxSeed.mail().subject("from elsewhere").receivedAt(Instant.now()));
      assertThat(stream.next("new_email").getString("data")).contains(filed.id().toString());
      seed.store().addFlags(box, filed.id(), List.of("\\Seen")).await();
      JsonObject updated = new JsonObject(stream.next("email_updated").getString("data"));
      assertThat(updated.getString("id")).isEqualTo(filed.id().toString());
      assertThat(updated.getBoolean("is_read")).isTrue();
      assertThat(updated.getString("change")).isEqualTo("updated");
      // Heartbeats (1 s here) carry the last id.
      assertThat(stream.next("heartbeat").getString("id")).isEqualTo(Long.toString(2));
    }
  }

  @Test
  void streamsAreBoundedPerKeyAndEndWhenTheKeyIsRevoked() throws Exception {
    seed.mailbox("bounded@stream.test", "plaintext");
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "b").put("mailbox", "bounded@stream.test").put("scope", "read_only"));
    String key = new JsonObject(created.body()).getString("key");
    String keyId = new JsonObject(created.body()).getString("id");
    try (JavaSse one = JavaSse.open(gateway.baseUrl(), key, null);
        JavaSse two = JavaSse.open(gateway.baseUrl(), key, null)) {
      one.next("connected");
      two.next("connected");
      HttpResponse<String> third = gateway.withKey(key, "GET", "/v1/inbox/stream", null);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(new JsonObject(third.body()).getString("name")).isEqualTo("rate_limited");

      assertThat(gateway.admin("DELETE", "/admin/v1/keys/" + keyId, null).statusCode()).isIn(200, 204);
      one.awaitEnd(Duration.ofSeconds(10));
      two.awaitEnd(Duration.ofSeconds(10));
      assertThat(gateway.withKey(key, "GET", "/v1/inbox/stream", null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void aSendOnlyKeyCannotFollowTheStream() {
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "so").put("mailbox", "bot@stream.test"));
    HttpResponse<String> response = gateway.withKey(new JsonObject(created.body()).getString("key"),
        "GET", "/v1/inbox/stream", null);
    assertThat(response.statusCode()).isEqualTo(403);
  }

  /** A minimal SSE reader over java.net.http for the checks that need no browser semantics. */
  static final class JavaSse implements AutoCloseable {
    private final java.util.concurrent.BlockingQueue<JsonObject> events = new java.util.concurrent.LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;

    private JavaSse(String url, String key, String lastEventId) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/v1/inbox/stream"))
          .header("Authorization", "Bearer " + key);
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      response = HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
      response.thenAcceptAsync(r -> {
        JsonObject event = new JsonObject();
        try {
          r.body().forEach(line -> {
            if (line.isEmpty()) {
              if (event.containsKey("event")) {
                events.add(event.copy());
              }
              event.clear();
            } else if (line.indexOf(':') > 0) {
              event.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).strip());
            }
          });
        } catch (RuntimeException e) {
          // cut
        }
        ended.complete(null);
      });
    }

    static JavaSse open(String url, String key, String lastEventId) {
      return new JavaSse(url, key, lastEventId);
    }

    JsonObject next(String type) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        JsonObject event = events.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (event != null && type.equals(event.getString("event"))) {
          return event;
        }
      }
      throw new AssertionError("no " + type + " event");
    }

    void awaitEnd(Duration timeout) {
      Eventually.until(timeout, ended::isDone, () -> "the stream did not end");
    }

    @Override
    public void close() {
      response.cancel(true);
      response.thenAccept(r -> r.body().close());
    }
  }
}
