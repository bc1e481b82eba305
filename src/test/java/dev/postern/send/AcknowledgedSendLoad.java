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
 * Concurrent senders posting {@code /v1/emails} one after another until stopped, for the
 * durability runs (KillDuringSendLoadIT, PostgresRestartDuringSendLoadIT): every 200 is recorded
 * with what was sent (a unique subject and body, and for one message in eight a 300 KB
 * attachment, so both inline and blob-store MIME are exercised); every other answer is counted
 * by status and error name. A refused connection (a gateway being restarted) is retried.
 */
final class AcknowledgedSendLoad {

  private static final Logger log = LoggerFactory.getLogger(AcknowledgedSendLoad.class);
  /** Every eighth message carries this much attachment: over the 256 KiB inline limit, so a blob. */
  static final int LARGE_ATTACHMENT_BYTES = 300 * 1024;
  static final String SENDER = "app@shop.example";

  private AcknowledgedSendLoad() {}

  /** What one acknowledged send was: its unique subject and, if any, its attachment's digest. */
  record Sent(String subject, String textBody, String attachmentName, String attachmentSha256) {}

  /** Senders posting one email after another until stopped; a refused connection is retried. */
  static final class Senders {
    final Map<UUID, Sent> acknowledged = new ConcurrentHashMap<>();
    /** When each acknowledged request began and was answered, for the report of a loss. */
    final Map<UUID, String> timings = new ConcurrentHashMap<>();
    final Map<Integer, Long> otherStatuses = new ConcurrentHashMap<>();
    /** The same answers by status and the error's {@code name} (docs/contract.md), e.g. "503 unavailable". */
    final Map<String, Long> refusals = new ConcurrentHashMap<>();
    final AtomicLong attempts = new AtomicLong();
    final AtomicLong connectionFailures = new AtomicLong();
    /** Requests begun while a gateway was up and ready that got no answer in 30 s. */
    final AtomicLong timeouts = new AtomicLong();
    /**
     * The same for requests begun while a restarted gateway was starting. Vert.x's HTTP metrics
     * once failed such requests (NullPointerException in VertxHttpServerMetrics.requestBegin);
     * http.GatewayMetricsFactory answers them now, so none may be left unanswered either.
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

    Senders(String baseUrl, String key, int senders) {
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
          sent = new Sent("large " + token, "attached: " + token, "file-" + token + ".bin", AcknowledgedChecks.sha256(file));
          body.put("attachments", new JsonArray().add(new JsonObject().put("filename", sent.attachmentName())
              .put("content", Base64.getEncoder().encodeToString(file))));
        } else {
          sent = new Sent("small " + token, "body of " + token, null, null);
        }
        body.put("subject", sent.subject()).put("text", sent.textBody());
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
            long seen = otherStatuses.merge(response.statusCode(), 1L, Long::sum);
            refusals.merge(response.statusCode() + " " + errorName(response.body()), 1L, Long::sum);
            if (seen <= 5) {
              log.warn("status {}: {}", response.statusCode(), response.body());
            }
            Thread.sleep(20); // a refusal (a database outage) is not retried in a tight loop
          }
        } catch (java.net.http.HttpTimeoutException slow) {
          (beganWhileReady ? timeouts : startupTimeouts).incrementAndGet();
          log.warn("no response within 30 s to a request begun at {} ({}): {}", began,
              beganWhileReady ? "gateway ready" : "gateway starting", sent.subject());
        } catch (IOException killedOrRestarting) {
          connectionFailures.incrementAndGet();
          // While a gateway restarts, 24 senders retrying every 20 ms slowed its start-up.
          Thread.sleep(gatewayReady ? 20 : 200);
        }
      }
      return null;
    }

    private static String errorName(String body) {
      try {
        return new JsonObject(body).getString("name");
      } catch (RuntimeException notJson) {
        return "(not JSON)";
      }
    }

    void stop() throws Exception {
      stopped = true;
      for (Future<?> sender : running) {
        sender.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();
    }
  }
}
