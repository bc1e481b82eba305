package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FaultRelay;
import dev.postern.support.FreePort;
import dev.postern.support.GatewayProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #4 / TESTING.md "Faults": the packaged gateway on its embedded PostgreSQL is killed with
 * SIGKILL at random moments of a concurrent send load and restarted on the same data directory
 * each time. Afterwards every id that got a 200 is found by {@code GET /v1/emails/:id}, and its
 * stored MIME (inline in the row or a file of the blob store) reads back as exactly what was sent.
 *
 * <p>Tuning (system properties, or the environment variables in brackets):
 * {@code postern.kill9.seconds} [POSTERN_KILL9_SECONDS] load duration, default 12 (the issue's
 * full run is 30: {@code scripts/kill9-durability.sh}); {@code postern.kill9.kills}
 * [POSTERN_KILL9_KILLS] SIGKILLs during it, default 2; {@code postern.kill9.senders}
 * [POSTERN_KILL9_SENDERS] concurrent senders, default 24; {@code postern.kill9.seed}
 * [POSTERN_KILL9_SEED] for the kill moments, default random (logged, to replay a run).
 */
class KillDuringSendLoadIT {

  private static final Logger log = LoggerFactory.getLogger(KillDuringSendLoadIT.class);
  /** Every eighth message carries this much attachment: over the 256 KiB inline limit, so a blob. */
  private static final int LARGE_ATTACHMENT_BYTES = 300 * 1024;
  private static final String SENDER = "app@shop.example";

  @TempDir Path work;

  @Test
  void everyAcknowledgedSendSurvivesSigkillsDuringLoadWithItsMimeIntact() throws Exception {
    int seconds = setting("postern.kill9.seconds", "POSTERN_KILL9_SECONDS", 12);
    int kills = setting("postern.kill9.kills", "POSTERN_KILL9_KILLS", 2);
    int senders = setting("postern.kill9.senders", "POSTERN_KILL9_SENDERS", 24);
    long seed = setting("postern.kill9.seed", "POSTERN_KILL9_SEED", (int) System.nanoTime());
    Random moments = new Random(seed);
    log.info("kill -9 durability: {} s of load, {} kills, {} senders, seed {}", seconds, kills, senders, seed);

    Path data = work.resolve("data");
    // Gateway output outlives the temporary directory, for reading after a failed run.
    Path logs = Path.of("target", "kill9-logs", Long.toString(System.currentTimeMillis()));
    String adminToken = "admin-" + UUID.randomUUID();
    int port = FreePort.next();
    try (FaultRelay relay = FaultRelay.start()) {
      Map<String, String> env = Map.of(
          "POSTERN_DATA_DIR", data.toString(),
          "POSTERN_HTTP_HOST", "127.0.0.1",
          "POSTERN_HTTP_PORT", Integer.toString(port),
          "POSTERN_ADMIN_TOKEN", adminToken,
          "POSTERN_RELAY_URL", relay.relayUrl());
      GatewayProcess gateway = GatewayProcess.start(logs, env);
      try {
        gateway.awaitReady(Duration.ofSeconds(120));
        String key = createMailboxAndKey(gateway.baseUrl(), adminToken);

        SendLoad load = new SendLoad(gateway.baseUrl(), key, senders);
        // The load's duration counts the time a gateway is up; each kill falls at a random moment
        // of its own slice, measured from the moment the previous restart became ready.
        long budget = TimeUnit.SECONDS.toNanos(seconds);
        long slice = budget / (kills + 1);
        long liveSince = System.nanoTime();
        List<Long> acknowledgedAtKill = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
          long live = (long) (slice * (0.3 + 0.7 * moments.nextDouble()));
          sleepUntil(liveSince + live);
          budget -= live;
          long before = load.acknowledged.size();
          java.time.Instant killing = java.time.Instant.now();
          load.gatewayReady = false;
          gateway.kill();
          acknowledgedAtKill.add(before);
          log.info("SIGKILL {} at {} (dead at {}) after {} s of live load on that process, {} acknowledged so far",
              i + 1, killing, java.time.Instant.now(), String.format("%.1f", live / 1e9), before);
          gateway.close();
          long restarting = System.nanoTime();
          gateway = GatewayProcess.start(logs, env);
          gateway.awaitReady(Duration.ofSeconds(120));
          load.gatewayReady = true;
          liveSince = System.nanoTime();
          log.info("restarted and ready in {} s", String.format("%.1f", (liveSince - restarting) / 1e9));
        }
        long acknowledgedAtLastRestart = load.acknowledged.size();
        sleepUntil(liveSince + Math.max(budget, TimeUnit.SECONDS.toNanos(1)));
        log.info("stopping the load");
        load.stop();

        Map<UUID, Sent> acknowledged = Map.copyOf(load.acknowledged);
        long large = acknowledged.values().stream().filter(s -> s.attachmentSha256 != null).count();
        log.info("load done: {} attempts, {} acknowledged ({} with a {} KB attachment), {} refused "
            + "connections or resets, {} unanswered (+ {} begun during a restart), other statuses {}", load.attempts.get(),
            acknowledged.size(), large, LARGE_ATTACHMENT_BYTES / 1024, load.connectionFailures.get(),
            load.timeouts.get(), load.startupTimeouts.get(), load.otherStatuses);

        // Durability first: every acknowledged send is there and reads back as sent.
        List<String> notFound = idsNotFoundByTheApi(gateway.baseUrl(), key, acknowledged);
        long stored = assertEveryStoredMimeReadsBackAsSent(data, acknowledged, load.timings);
        assertThat(notFound).as("acknowledged ids not found by GET /v1/emails/:id").isEmpty();
        log.info("verified: all {} acknowledged ids found by GET /v1/emails/:id with their MIME intact; "
            + "{} messages stored in all (the rest were accepted but unacknowledged when killed)",
            acknowledged.size(), stored);

        // Then that the run proved something, and that a live gateway answered every request.
        for (int i = 0; i < kills; i++) {
          long previous = i == 0 ? 0 : acknowledgedAtKill.get(i - 1);
          assertThat(acknowledgedAtKill.get(i)).as("sends were being acknowledged before kill " + (i + 1))
              .isGreaterThan(previous);
        }
        assertThat(load.acknowledged.size()).as("service resumed after the last restart")
            .isGreaterThan((int) acknowledgedAtLastRestart);
        assertThat(large).as("large (blob) messages acknowledged").isPositive();
        assertThat(acknowledged.size() - large).as("small (inline) messages acknowledged").isPositive();
        assertThat(load.otherStatuses).as("no response but 200 from a live gateway").isEmpty();
        assertThat(load.timeouts.get()).as("requests begun while the gateway was ready, never answered").isZero();
        assertThat(load.startupTimeouts.get()).as("requests begun while a restarted gateway was starting, never answered")
            .isZero();

      } finally {
        gateway.close();
      }
    }
  }

  /** What one acknowledged send was: its unique subject and, if any, its attachment's digest. */
  record Sent(String subject, String textBody, String attachmentName, String attachmentSha256) {}

  /** Senders posting one email after another until stopped; a refused connection is retried. */
  static final class SendLoad {
    final Map<UUID, Sent> acknowledged = new ConcurrentHashMap<>();
    /** When each acknowledged request began and was answered, for the report of a loss. */
    final Map<UUID, String> timings = new ConcurrentHashMap<>();
    final Map<Integer, Long> otherStatuses = new ConcurrentHashMap<>();
    final AtomicLong attempts = new AtomicLong();
    final AtomicLong connectionFailures = new AtomicLong();
    /** Requests begun while a gateway was up and ready that got no answer in 30 s. */
    final AtomicLong timeouts = new AtomicLong();
    /**
     * The same for requests begun while a restarted gateway was starting. Vert.x's HTTP metrics
     * once failed such requests (NullPointerException in VertxHttpServerMetrics.requestBegin);
     * http.GuardedMetricsFactory answers them now, so none may be left unanswered either.
     */
    final AtomicLong startupTimeouts = new AtomicLong();
    volatile boolean gatewayReady = true;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService threads;
    private final List<Future<?>> running = new ArrayList<>();
    private final String baseUrl;
    private final String key;
    private volatile boolean stopped;

    SendLoad(String baseUrl, String key, int senders) {
      this.baseUrl = baseUrl;
      this.key = key;
      this.threads = Executors.newFixedThreadPool(senders);
      for (int i = 0; i < senders; i++) {
        running.add(threads.submit(this::sendUntilStopped));
      }
    }

    private Void sendUntilStopped() throws Exception {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (!stopped) {
        String token = UUID.randomUUID().toString();
        Sent sent;
        JsonObject body = new JsonObject().put("from", "Shop <" + SENDER + ">")
            .put("to", "rcpt-" + token.substring(0, 8) + "@dest.test");
        if (random.nextInt(8) == 0) {
          byte[] file = new byte[LARGE_ATTACHMENT_BYTES];
          random.nextBytes(file);
          sent = new Sent("large " + token, "attached: " + token, "file-" + token + ".bin", sha256(file));
          body.put("attachments", new JsonArray().add(new JsonObject().put("filename", sent.attachmentName)
              .put("content", Base64.getEncoder().encodeToString(file))));
        } else {
          sent = new Sent("small " + token, "body of " + token, null, null);
        }
        body.put("subject", sent.subject).put("text", sent.textBody);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/emails"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        attempts.incrementAndGet();
        java.time.Instant began = java.time.Instant.now();
        boolean beganWhileReady = gatewayReady;
        try {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            UUID id = UUID.fromString(new JsonObject(response.body()).getString("id"));
            acknowledged.put(id, sent);
            timings.put(id, "began " + began + ", answered " + java.time.Instant.now());
          } else {
            otherStatuses.merge(response.statusCode(), 1L, Long::sum);
            log.warn("status {}: {}", response.statusCode(), response.body());
          }
        } catch (java.net.http.HttpTimeoutException slow) {
          (beganWhileReady ? timeouts : startupTimeouts).incrementAndGet();
          log.warn("no response within 30 s to a request begun at {} ({}): {}", began,
              beganWhileReady ? "gateway ready" : "gateway starting", sent.subject);
        } catch (IOException killedOrRestarting) {
          connectionFailures.incrementAndGet();
          Thread.sleep(20);
        }
      }
      return null;
    }

    void stop() throws Exception {
      stopped = true;
      for (Future<?> sender : running) {
        sender.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();
    }
  }

  private static List<String> idsNotFoundByTheApi(String baseUrl, String key, Map<UUID, Sent> acknowledged)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Map<UUID, Future<HttpResponse<String>>> replies = new HashMap<>();
      acknowledged.keySet().forEach(id -> replies.put(id, pool.submit(() -> http.send(
          HttpRequest.newBuilder(URI.create(baseUrl + "/v1/emails/" + id)).timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()))));
      List<String> missing = new ArrayList<>();
      for (var reply : replies.entrySet()) {
        HttpResponse<String> response = reply.getValue().get();
        if (response.statusCode() != 200
            || !acknowledged.get(reply.getKey()).subject.equals(new JsonObject(response.body()).getString("subject"))) {
          missing.add(reply.getKey() + " → " + response.statusCode() + " " + response.body());
        }
      }
      return missing;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Reads every acknowledged message's stored MIME straight from the data directory: the row in
   * the embedded PostgreSQL (its port is in {@code pg/postmaster.pid}) and, for a large one, the
   * blob file it names. Returns how many messages are stored in all.
   */
  private static long assertEveryStoredMimeReadsBackAsSent(Path data, Map<UUID, Sent> acknowledged,
      Map<UUID, String> timings) throws Exception {
    List<String> pidFile = Files.readAllLines(data.resolve("pg/postmaster.pid"), StandardCharsets.US_ASCII);
    int pgPort = Integer.parseInt(pidFile.get(3).trim());
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(pgPort)
          .setDatabase("postgres").setUser("postgres").setPassword("")).using(vertx).build();
      List<String> problems = new ArrayList<>();
      java.util.Set<UUID> unseen = new java.util.HashSet<>(acknowledged.keySet());
      List<UUID> ids = List.copyOf(acknowledged.keySet());
      for (int from = 0; from < ids.size(); from += 50) {
        UUID[] chunk = ids.subList(from, Math.min(ids.size(), from + 50)).toArray(UUID[]::new);
        for (Row row : db.preparedQuery("SELECT id, mime_inline, blob_key, mime_size FROM outbound_messages "
            + "WHERE id = ANY($1::uuid[])").execute(Tuple.of((Object) chunk)).await()) {
          Sent sent = acknowledged.get(row.getUUID("id"));
          String problem = mimeProblem(data, row, sent);
          if (problem != null) {
            problems.add(row.getUUID("id") + ": " + problem);
          }
          unseen.remove(row.getUUID("id"));
        }
      }
      assertThat(problems).as("stored MIME that does not read back as sent").isEmpty();
      assertThat(unseen.stream().map(id -> id + " (" + acknowledged.get(id).subject + ", " + timings.get(id) + ")"))
          .as("acknowledged ids without a stored message row").isEmpty();
      long stored = db.query("SELECT count(*) FROM outbound_messages").execute().await().iterator().next().getLong(0);
      db.close().await();
      return stored;
    } finally {
      vertx.close().await();
    }
  }

  /** Null if the stored MIME is complete and is the message that was sent; else what is wrong. */
  private static String mimeProblem(Path data, Row row, Sent sent) throws IOException {
    byte[] mime;
    String blobKey = row.getString("blob_key");
    if (sent.attachmentSha256 != null) {
      if (blobKey == null) {
        return "a large message stored inline";
      }
      Path blob = data.resolve("blobs").resolve(blobKey);
      if (!Files.isRegularFile(blob)) {
        return "blob file missing: " + blob;
      }
      mime = Files.readAllBytes(blob);
    } else {
      if (row.getBuffer("mime_inline") == null) {
        return "a small message without inline MIME (blob " + blobKey + ")";
      }
      mime = row.getBuffer("mime_inline").getBytes();
    }
    if (mime.length != row.getLong("mime_size")) {
      return "MIME is " + mime.length + " bytes, the row says " + row.getLong("mime_size");
    }
    Message message = ComposedMail.parse(mime);
    if (!sent.subject.equals(message.getSubject())) {
      return "subject " + message.getSubject() + ", sent " + sent.subject;
    }
    Entity textPart = message;
    if (sent.attachmentSha256 != null) {
      List<Entity> parts = ComposedMail.parts(message);
      textPart = parts.get(0);
      Entity file = parts.get(parts.size() - 1);
      if (!sent.attachmentName.equals(file.getFilename())) {
        return "attachment named " + file.getFilename();
      }
      if (!sent.attachmentSha256.equals(sha256(ComposedMail.binary(file)))) {
        return "attachment content differs";
      }
    }
    if (!ComposedMail.text(textPart).startsWith(sent.textBody)) {
      return "text body differs";
    }
    return null;
  }

  private static String createMailboxAndKey(String baseUrl, String adminToken) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> mailbox = http.send(admin(baseUrl, adminToken, "/admin/v1/mailboxes",
        new JsonObject().put("address", SENDER).put("encryption_tier", "plaintext")), HttpResponse.BodyHandlers.ofString());
    assertThat(mailbox.statusCode()).as(mailbox.body()).isEqualTo(201);
    HttpResponse<String> key = http.send(admin(baseUrl, adminToken, "/admin/v1/keys", new JsonObject()
        .put("name", "load").put("mailbox", SENDER).put("scope", "full_access")
        .put("rate_limit_per_hour", 1_000_000)), HttpResponse.BodyHandlers.ofString());
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    return new JsonObject(key.body()).getString("key");
  }

  private static HttpRequest admin(String baseUrl, String token, String path, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private static int setting(String property, String env, int fallback) {
    String value = System.getProperty(property, System.getenv(env));
    return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
  }
}
