package dev.postern.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A steady send load for fault tests: a few threads posting {@code /v1/emails} back to back, each
 * message with a unique subject and body token, every outcome recorded (status, error name, id,
 * elapsed time). A request that does not complete within {@code requestBound} is recorded with
 * status {@link #TIMED_OUT}, so a hang shows up as an outcome to assert on, not a stuck test.
 */
public final class SendLoad implements AutoCloseable {

  public static final int TIMED_OUT = -1;
  public static final int IO_ERROR = -2;

  /** One request: what was sent and what came back. */
  public record Outcome(long startedNanos, int status, String errorName, String id, String subject,
      String token, Duration elapsed) {
    public boolean accepted() {
      return status == 200;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final String baseUrl;
  private final String key;
  private final String from;
  private final Duration requestBound;

  private SendLoad(String baseUrl, String key, String from, Duration requestBound) {
    this.baseUrl = baseUrl;
    this.key = key;
    this.from = from;
    this.requestBound = requestBound;
  }

  /** Starts {@code threads} senders against a gateway; {@link #close()} stops and joins them. */
  public static SendLoad start(TestGateway gateway, String key, String from, int threads,
      Duration requestBound) {
    SendLoad load = new SendLoad(gateway.baseUrl(), key, from, requestBound);
    for (int i = 0; i < threads; i++) {
      Thread thread = new Thread(load::run, "send-load-" + i);
      thread.setDaemon(true);
      load.threads.add(thread);
      thread.start();
    }
    return load;
  }

  /** Everything recorded so far, in completion order. */
  public List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  public long count(int status) {
    return outcomes.stream().filter(o -> o.status() == status).count();
  }

  /** Outcomes of requests started after {@code nanos} (System.nanoTime()). */
  public List<Outcome> startedAfter(long nanos) {
    return outcomes.stream().filter(o -> o.startedNanos() - nanos > 0).toList();
  }

  private void run() {
    while (running.get()) {
      outcomes.add(sendOne());
    }
  }

  private Outcome sendOne() {
    String token = UUID.randomUUID().toString();
    String subject = "load " + token.substring(0, 8);
    JsonObject body = new JsonObject().put("from", from).put("to", "load@example.org")
        .put("subject", subject).put("text", "token " + token);
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/emails"))
        .timeout(requestBound)
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    long start = System.nanoTime();
    int status;
    String name = null;
    String id = null;
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      status = response.statusCode();
      if (response.body().startsWith("{")) {
        JsonObject json = new JsonObject(response.body());
        id = json.getString("id");
        name = json.getString("name");
      }
    } catch (HttpTimeoutException e) {
      status = TIMED_OUT;
    } catch (IOException e) {
      status = IO_ERROR;
      name = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
      status = IO_ERROR;
      name = "interrupted";
    }
    return new Outcome(start, status, name, id, subject, token,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** Stops the senders and waits for their requests in flight (each bounded by requestBound). */
  @Override
  public void close() {
    running.set(false);
    for (Thread thread : threads) {
      try {
        thread.join(TimeUnit.MILLISECONDS.convert(requestBound) + 5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
