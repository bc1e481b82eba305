package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * inbox-fanout (issue #14, bench/README.md): {@code --streams} open {@code GET /v1/inbox/stream}
 * connections on one mailbox, then {@code --messages} messages into the MX, one every
 * {@code --interval}, each over a plaintext SMTP session ({@link SmtpTlsLoad#plaintext}). For
 * every (message, stream) pair the latency is from the moment the client read the message's 250
 * to the moment that stream delivered the {@code new_email} event naming its Message-ID. The
 * p99 over all pairs is the figure (goal: at most 100 ms). Every stream must get every message:
 * one missing after {@code --settle} fails the run (exit 3). {@code --warmup-messages} go first
 * and are not recorded.
 *
 * <p>All streams share one event loop of this JVM, so a delay here counts against the gateway:
 * the figure is an upper bound. An event that arrives before its 250 was read (the filing beat
 * the reply to the client) counts as 0 ms.
 */
@Command(name = "StreamFanout", mixinStandardHelpOptions = true,
    description = "Latency from the MX's 250 to new_email on N open inbox streams.")
public final class StreamFanout implements Callable<Integer> {

  @Option(names = {"-u", "--url"}, required = true, description = "the stream URL (loopback)")
  String url;

  @Option(names = "--key", defaultValue = "${env:POSTERN_BENCH_KEY}", description = "inbox:read key")
  String key;

  @Option(names = "--streams", defaultValue = "1000")
  int streams;

  @Option(names = "--mx-port", required = true)
  int mxPort;

  @Option(names = "--to", required = true, description = "the mailbox the streams follow")
  String to;

  @Option(names = "--from", defaultValue = "sender@senders.test")
  String from;

  @Option(names = "--size", defaultValue = "2048", converter = BenchUnits.Bytes.class)
  long size;

  @Option(names = "--messages", defaultValue = "100")
  int messages;

  @Option(names = "--warmup-messages", defaultValue = "10")
  int warmupMessages;

  @Option(names = "--interval", defaultValue = "200ms", converter = BenchUnits.Time.class,
      description = "between one message's 250 and the next message's connection")
  Duration interval;

  @Option(names = "--settle", defaultValue = "30s", converter = BenchUnits.Time.class,
      description = "how long after the last 250 every stream may take to have every message")
  Duration settle;

  @Option(names = "--label", defaultValue = "fanout")
  String label;

  @Option(names = "--out", description = "result JSON")
  Path out;

  @Option(names = "--pg-data", description = "the gateway's PostgreSQL data directory: prints"
      + " where the latency goes (FanoutBreakdown)")
  Path pgData;

  /** Message-ID → when its 250 was read (System.nanoTime). */
  private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
  /** Every new_email seen: its Message-ID (no angle brackets) and when (System.nanoTime). */
  private record Arrival(String messageId, long nanoTime) {}

  private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong connected = new AtomicLong();
  private HttpClient client;
  /** Set once the run is over: the streams closing then are this client's doing. */
  private volatile boolean closing;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StreamFanout()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    URI uri = LoopbackTarget.require(url);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try (SmtpTlsLoad mx = SmtpTlsLoad.plaintext(uri.getHost(), mxPort, from, to,
        Math.toIntExact(size), (id, at) -> acknowledged.put(id, at))) {
      // A field, not a local: Vert.x 5's createHttpClient() returns a client that closes itself
      // and its connections once unreachable, and after the opening task below nothing else
      // would hold it while the streams run.
      client = vertx.createHttpClient(new HttpClientOptions()
          .setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(streams).setMaxWaitQueueSize(-1));
      String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      long openStart = System.nanoTime();
      // Opened on the client's event loop, not this thread: a response future completed there
      // runs its continuation at once, so each stream's handler is set before its first chunk
      // (from another thread the continuation is queued, and Vert.x 5.0.10 drops what arrived
      // before it: eclipse-vertx/vert.x#5825, #6038).
      vertx.runOnContext(v -> {
        for (int i = 0; i < streams; i++) {
          open(client, uri, target);
        }
      });
      await(() -> connected.get() >= streams, Duration.ofSeconds(120), "streams connected");
      System.err.printf(Locale.ROOT, "[fanout] %d streams open in %.1f s%n", streams,
          (System.nanoTime() - openStart) / 1e9);

      send(mx, warmupMessages);
      long expectedWarm = (long) warmupMessages * streams;
      await(() -> received.get() >= expectedWarm, settle, "warm-up events");
      Set<String> warm = Set.copyOf(acknowledged.keySet());
      long firstMeasured = System.nanoTime();
      String startedAt = Instant.now().toString();
      send(mx, messages);
      long expected = expectedWarm + (long) messages * streams;
      boolean complete = awaitQuietly(() -> received.get() >= expected, settle);
      String endedAt = Instant.now().toString();

      Histogram latency = new Histogram(3_600_000_000L, 3);
      long early = 0;
      long got = 0;
      Map<String, List<Long>> byMessage = new HashMap<>();
      for (Arrival arrival : arrivals) {
        Long ack = acknowledged.get(arrival.messageId());
        if (ack == null || warm.contains(arrival.messageId())) {
          continue; // warm-up, or a message this run did not send
        }
        byMessage.computeIfAbsent(arrival.messageId(), id -> new ArrayList<>()).add(arrival.nanoTime());
        got++;
        long micros = (arrival.nanoTime() - ack) / 1000;
        if (micros < 0) {
          early++;
        }
        latency.recordValue(Math.max(0, micros));
      }
      long want = (long) messages * streams;
      double seconds = (System.nanoTime() - firstMeasured) / 1e9;
      var percentiles = RunResult.Percentiles.of(latency);
      System.out.printf(Locale.ROOT, "%s  %d streams × %d messages: %s of %s events, latency from"
          + " the 250: p50 %s ms, p99 %s ms, max %s ms (goal p99 <= 100 ms)%s%n", label, streams,
          messages, BenchUnits.grouped(got), BenchUnits.grouped(want), TextReport.ms(percentiles.p50()),
          TextReport.ms(percentiles.p99()), TextReport.ms(percentiles.max()),
          early > 0 ? "; " + early + " arrived before the client read the 250 (counted 0 ms)" : "");
      if (out != null) {
        ResultJson.writeFile(new RunResult(label, "StreamFanout --streams " + streams,
            "new_email after the MX's 250, " + size + " bytes", "fan-out", url, streams,
            1e9 / Math.max(1, interval.toNanos()), streams, 0, seconds, startedAt,
            RunResult.Machine.current(), want, got, got / seconds, got / seconds, percentiles,
            null, Map.of(), Map.of(), want - got, null, RunResult.distributionOf(latency),
            new RunResult.MeasuredWindow(startedAt, endedAt), null), out);
      }
      if (pgData != null) {
        // Wall-clock epoch nanoseconds: the server's timestamps are PostgreSQL's now().
        long wall = Instant.now().toEpochMilli() * 1_000_000 - System.nanoTime();
        FanoutBreakdown.print(pgData, byMessage.entrySet().stream()
            .map(e -> new FanoutBreakdown.Message(e.getKey(), acknowledged.get(e.getKey()) + wall,
                e.getValue().stream().mapToLong(n -> n + wall).toArray()))
            .toList());
      }
      if (!complete || got != want) {
        System.err.printf("[fanout] FAILED: %d of %d events arrived within %s of the last 250%n",
            got, want, settle);
        return 3;
      }
      return 0;
    } finally {
      closing = true;
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // A loaded machine closing a thousand streams: the figures stand, the exit code with them.
        System.err.println("[fanout] the client's streams were still closing after 30 s");
      }
    }
  }

  private void open(HttpClient client, URI uri, String target) {
    var options = new RequestOptions().setMethod(HttpMethod.GET).setHost(uri.getHost())
        .setPort(uri.getPort()).setURI(target).putHeader("Authorization", "Bearer " + key)
        .putHeader("Accept", "text/event-stream");
    SseEvents parser = new SseEvents();
    client.request(options).compose(request -> request.send()).onSuccess(response -> {
      if (response.statusCode() != 200) {
        response.body().onSuccess(body -> System.err.println("[fanout] stream refused: "
            + response.statusCode() + " " + body));
        return;
      }
      response.handler(bytes -> {
        long now = System.nanoTime();
        for (SseEvents.Event event : parser.feed(bytes.getBytes())) {
          if (event.type().equals("connected")) {
            connected.incrementAndGet();
          } else if (event.type().equals("new_email")) {
            arrivals.add(new Arrival(bare(messageIdOf(event.data())), now));
            received.incrementAndGet();
          }
        }
      });
      response.exceptionHandler(e -> {
        if (!closing) {
          System.err.println("[fanout] stream failed: " + e);
        }
      });
    }).onFailure(e -> System.err.println("[fanout] stream not opened: " + e));
  }

  /** One message at a time: each its own session, its 250 read before the pause and the next. */
  private void send(SmtpTlsLoad mx, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      int before = acknowledged.size();
      mx.submit(1);
      if (acknowledged.size() != before + 1) {
        throw new IllegalStateException("the MX acknowledged no new message");
      }
      TimeUnit.NANOSECONDS.sleep(interval.toNanos());
    }
  }

  /**
   * The event's {@code message_id}, found without parsing the whole JSON when it is written
   * plainly (one client loop reads a thousand streams: a parse per event was a share of the
   * figure); anything else is parsed.
   */
  static String messageIdOf(String json) {
    String key = "\"message_id\":\"";
    int at = json.indexOf(key);
    if (at >= 0) {
      int from = at + key.length();
      int end = json.indexOf('"', from);
      if (end > from && json.lastIndexOf('\\', end) < from) {
        return json.substring(from, end);
      }
    }
    String id = new JsonObject(json).getString("message_id", "");
    return id == null ? "" : id;
  }

  static String bare(String messageId) {
    String id = messageId.strip();
    return id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id;
  }

  private static void await(java.util.function.BooleanSupplier condition, Duration limit,
      String what) throws InterruptedException {
    if (!awaitQuietly(condition, limit)) {
      throw new IllegalStateException("timed out after " + limit + " waiting for " + what);
    }
  }

  private static boolean awaitQuietly(java.util.function.BooleanSupplier condition, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return true;
  }
}
