package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.send.AcknowledgedSendLoad.Sent;
import dev.postern.support.DeliveryLedger;
import dev.postern.support.Eventually;
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
 * The end checks of the durability runs: every acknowledged id is found by
 * {@code GET /v1/emails/:id}, and its stored MIME (the row's inline bytes or its blob file) reads
 * back as exactly what was sent.
 */
final class AcknowledgedChecks {

  private static final Logger log = LoggerFactory.getLogger(AcknowledgedChecks.class);

  private AcknowledgedChecks() {}

  static List<String> idsNotFoundByTheApi(String baseUrl, String key, Map<UUID, Sent> acknowledged)
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
            || !acknowledged.get(reply.getKey()).subject().equals(new JsonObject(response.body()).getString("subject"))) {
          missing.add(reply.getKey() + " → " + response.statusCode() + " " + response.body());
        }
      }
      return missing;
    } finally {
      pool.shutdown();
    }
  }

  /** The embedded PostgreSQL of a gateway's data directory (its port is in {@code pg/postmaster.pid}). */
  static PgConnectOptions embeddedDatabase(Path data) throws IOException {
    List<String> pidFile = Files.readAllLines(data.resolve("pg/postmaster.pid"), StandardCharsets.US_ASCII);
    return new PgConnectOptions().setHost("127.0.0.1").setPort(Integer.parseInt(pidFile.get(3).trim()))
        .setDatabase("postgres").setUser("postgres").setPassword("");
  }

  /**
   * Reads every acknowledged message's stored MIME straight from the store: the row in
   * {@code database} and, for a large one, the blob file it names under {@code data/blobs}.
   * Returns how many messages are stored in all.
   */
  static long assertEveryStoredMimeReadsBackAsSent(PgConnectOptions database, Path data,
      Map<UUID, Sent> acknowledged, Map<UUID, String> timings) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = PgBuilder.pool().connectingTo(database).using(vertx).build();
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
      assertThat(unseen.stream().map(id -> id + " (" + acknowledged.get(id).subject() + ", " + timings.get(id) + ")"))
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
    if (sent.attachmentSha256() != null) {
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
    if (!sent.subject().equals(message.getSubject())) {
      return "subject " + message.getSubject() + ", sent " + sent.subject();
    }
    Entity textPart = message;
    if (sent.attachmentSha256() != null) {
      List<Entity> parts = ComposedMail.parts(message);
      textPart = parts.get(0);
      Entity file = parts.get(parts.size() - 1);
      if (!sent.attachmentName().equals(file.getFilename())) {
        return "attachment named " + file.getFilename();
      }
      if (!sent.attachmentSha256().equals(sha256(ComposedMail.binary(file)))) {
        return "attachment content differs";
      }
    }
    if (!ComposedMail.text(textPart).startsWith(sent.textBody())) {
      return "text body differs";
    }
    return null;
  }

  static String createMailboxAndKey(String baseUrl, String adminToken) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> mailbox = http.send(admin(baseUrl, adminToken, "/admin/v1/mailboxes",
        new JsonObject().put("address", AcknowledgedSendLoad.SENDER).put("encryption_tier", "plaintext")), HttpResponse.BodyHandlers.ofString());
    assertThat(mailbox.statusCode()).as(mailbox.body()).isEqualTo(201);
    HttpResponse<String> key = http.send(admin(baseUrl, adminToken, "/admin/v1/keys", new JsonObject()
        .put("name", "load").put("mailbox", AcknowledgedSendLoad.SENDER).put("scope", "full_access")
        .put("rate_limit_per_hour", 1_000_000)), HttpResponse.BodyHandlers.ofString());
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    return new JsonObject(key.body()).getString("key");
  }

  private static HttpRequest admin(String baseUrl, String token, String path, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  /**
   * Waits (up to {@code within}) until every acknowledged id was delivered to the relay at least
   * once, then asserts each delivered copy's MIME is the stored one (a duplicate included, so a
   * duplicate is byte-identical in its MIME). Returns the counts for the report.
   */
  static DeliveryLedger.Verdict assertEveryAcknowledgedSendDelivered(PgConnectOptions database,
      DeliveryLedger ledger, Map<UUID, Sent> acknowledged, Duration within) {
    Map<UUID, DeliveryLedger.Stored> stored = DeliveryLedger.stored(database, acknowledged.keySet());
    assertThat(stored).as("acknowledged ids with a stored row").hasSameSizeAs(acknowledged);
    long began = System.nanoTime();
    Eventually.until(within, () -> ledger.deliveredOf(stored.values()) == stored.size(),
        () -> ledger.verify(stored).summary() + "; first undelivered: "
            + ledger.verify(stored).undelivered().stream().limit(5).toList());
    DeliveryLedger.Verdict verdict = ledger.verify(stored);
    log.info("delivered: {} (the last arrived {} s after the load stopped)", verdict.summary(),
        String.format("%.1f", (System.nanoTime() - began) / 1e9));
    assertThat(verdict.undelivered()).as("acknowledged ids never delivered").isEmpty();
    assertThat(verdict.altered()).as("deliveries whose MIME is not the stored MIME").isEmpty();
    return verdict;
  }

  /**
   * Arguments for {@code serve} with a configuration that hands a dead process's claims on after
   * 5 s (lease) and retries after a second, so the final drain does not wait out production
   * leases and backoffs; the PostgreSQL connect timeout is 2 s, so an outage answers 503 fast.
   */
  static String[] quickRedeliveryConfig(Path work) throws IOException {
    Path conf = Files.writeString(work.resolve("durability-conf.json"), new JsonObject()
        .put("delivery", new JsonObject().put("lease_seconds", 5).put("poll_interval_ms", 500)
            .put("retry_base_ms", 1000).put("retry_max_ms", 5000))
        .put("postgres", new JsonObject().put("connect_timeout_seconds", 2)).encode());
    return new String[] {"serve", "--config", conf.toString()};
  }

  /** How long the final drain may take: two minutes, plus a second per 20 acknowledged sends. */
  static Duration drainBound(Map<UUID, Sent> acknowledged) {
    return Duration.ofSeconds(120 + acknowledged.size() / 20);
  }

  /** "min / median / max s (n)" of some durations in seconds. */
  static String spread(List<Double> seconds) {
    if (seconds.isEmpty()) {
      return "none";
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    return String.format("%.1f / %.1f / %.1f s (%d)", sorted.get(0), sorted.get(sorted.size() / 2),
        sorted.get(sorted.size() - 1), sorted.size());
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
