package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * HTTP load generator for the bench harness (BENCHMARKS.md). Closed model ({@code -c}) for
 * peak throughput, open model ({@code -R}) for latency without coordinated omission. Writes a
 * result JSON and an HTML chart, prints a table, and stops by itself after warm-up + duration.
 */
@Command(name = "LoadGenerator", mixinStandardHelpOptions = true,
    description = "Drives HTTP load at 127.0.0.1 and records latency with HdrHistogram.")
public final class LoadGenerator implements java.util.concurrent.Callable<Integer> {

  @Option(names = {"-w", "--workload"}, required = true,
      description = "ping | send | get | post-json")
  String workload;

  @Option(names = {"-u", "--url"}, required = true, description = "loopback URL to load")
  String url;

  @Option(names = {"-c", "--concurrency"}, description = "closed model: requests in flight")
  Integer concurrency;

  @Option(names = {"-R", "--rate"}, description = "open model: intended requests per second")
  Double rate;

  @Option(names = "--connections",
      description = "keep-alive connections (default: concurrency, or 64 in the open model)")
  Integer connections;

  @Option(names = "--threads", defaultValue = "1", description = "event loops generating load")
  int threads;

  @Option(names = "--warmup", defaultValue = "10s", converter = BenchUnits.Time.class)
  Duration warmup;

  @Option(names = "--duration", defaultValue = "30s", converter = BenchUnits.Time.class)
  Duration duration;

  @Option(names = "--timeout", defaultValue = "10s", converter = BenchUnits.Time.class,
      description = "per request, including the wait for a pooled connection")
  Duration timeout;

  @Option(names = "--key", defaultValue = "${env:POSTERN_BENCH_KEY}",
      description = "API key sent as a Bearer token (env POSTERN_BENCH_KEY)")
  String key;

  @Option(names = "--from", defaultValue = "bench@bench.test")
  String from;

  @Option(names = "--to", defaultValue = "sink@sink.test", split = ",")
  List<String> to;

  @Option(names = "--size", defaultValue = "2KB", converter = BenchUnits.Bytes.class,
      description = "send: text body size")
  long textBytes;

  @Option(names = "--attach", defaultValue = "0", converter = BenchUnits.Bytes.class,
      description = "send: attachment size before base64 (0 = none)")
  long attachBytes;

  @Option(names = "--body-size", defaultValue = "1KB", converter = BenchUnits.Bytes.class,
      description = "post-json: JSON body size")
  long jsonBytes;

  @Option(names = "--paths-file",
      description = "GET/ping: request targets (path?query, one a line) sent in turn instead of the URL's")
  Path pathsFile;

  @Option(names = "--label", description = "name of this run in reports")
  String label;

  @Option(names = "--out", description = "result JSON file (an HTML chart is written beside it)")
  Path out;

  @Option(names = "--quiet", description = "no progress line on stderr")
  boolean quiet;

  /** Off unless {@code --cost-pg-data} is given: then the result carries a {@link MessageCost}. */
  @CommandLine.Mixin
  CostProbeOptions cost = new CostProbeOptions();

  /**
   * With {@code --warmup-jit-pid}: rounds of {@code --warmup} load (not measured, no progress
   * lines) before the run until that JVM's JIT is quiet; the run's own warm-up follows.
   */
  @CommandLine.Mixin
  JitWarmup jitWarmup = new JitWarmup();

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadGenerator()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (concurrency != null && rate != null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "use -c or -R, not both");
    }
    RunResult result = execute();
    System.out.print(TextReport.of(result));
    if (result.cost() != null) {
      System.out.println("  " + result.cost().line(result.label(), 4));
    }
    if (out != null) {
      ResultJson.writeFile(result, out);
      Path html = out.resolveSibling(out.getFileName().toString().replaceAll("\\.json$", "")
          + ".html");
      Files.writeString(html, HtmlChart.page(result.label(), List.of(result)));
      System.out.println("  result         " + out + "  chart " + html);
    }
    if (result.ok() == 0) {
      System.err.println("no request succeeded (2xx): see the status and transport errors above");
      return 1;
    }
    return 0;
  }

  /** The run's t0 (System.nanoTime) of the last {@link #execute}: when the first request left. */
  long lastStartNanos;

  /** Runs the configured load in this JVM (as the command line does) and returns its figures. */
  RunResult execute() throws Exception {
    Workload kind = Workload.parse(workload);
    RequestTemplate template = kind.template(new Workload.Spec(url, key, from, to, textBytes,
        attachBytes, jsonBytes));
    if (pathsFile != null) {
      List<String> targets = Files.readAllLines(pathsFile).stream().map(String::strip)
          .filter(line -> !line.isEmpty()).toList();
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("--paths-file " + pathsFile + " names no target");
      }
      template = template.rotating(targets);
    }
    RequestTemplate load = template;
    String tag = label != null ? label : workload;
    JitWarmup jit = jitWarmup.watching(null);
    jit.run(tag, 0, () -> warmupRound(load, kind));
    JitWarmup.Mark runFrom = jit.mark();
    RunResult result = run(template, kind);
    if (jit.enabled()) {
      System.err.printf(Locale.ROOT, "[%s] JIT compilers over the run (its warm-up included): %s%n",
          tag, JitWarmup.describe(jit.coresSince(runFrom)));
    }
    return result;
  }

  /** One unmeasured round of the same load, {@code --warmup} long, for {@link JitWarmup}. */
  private String warmupRound(RequestTemplate template, Workload kind) throws Exception {
    var round = new LoadGenerator();
    round.workload = workload;
    round.url = url;
    round.concurrency = concurrency;
    round.rate = rate;
    round.connections = connections;
    round.threads = threads;
    round.warmup = Duration.ZERO;
    round.duration = warmup;
    round.timeout = timeout;
    round.label = (label != null ? label : workload) + "-jit-warmup";
    round.quiet = true;
    RunResult result = round.run(template, kind);
    return String.format(Locale.ROOT, "%s requests, %s 2xx", BenchUnits.grouped(result.requests()),
        BenchUnits.grouped(result.ok()));
  }

  private RunResult run(RequestTemplate template, Workload kind) throws Exception {
    boolean open = rate != null;
    int closedConcurrency = concurrency == null ? 64 : concurrency;
    int pool = connections != null ? connections : open ? 64 : closedConcurrency;
    String startedAt = Instant.now().toString();
    CostProbe probe = cost.open();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads));
    try {
      // A short lead so every driver is deployed before the first slot is due.
      long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
      lastStartNanos = t0;
      long measureFrom = t0 + warmup.toNanos();
      long end = measureFrom + duration.toNanos();
      var recorder = new LatencyRecorder(t0, measureFrom, end);
      List<Future<Void>> finished = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Promise<Void> done = Promise.promise();
        finished.add(done.future());
        // Each loop's slots are offset by one interval so the loops' requests interleave.
        long phase = open ? (long) (i * 1e9 / rate) : 0;
        var share = new LoadVerticle.Share(split(closedConcurrency, i), open ? rate / threads : 0,
            split(pool, i), t0 + phase, end, timeout);
        vertx.deployVerticle(new LoadVerticle(template, recorder, share, done));
      }
      CountDownLatch allDone = new CountDownLatch(1);
      Future.join(finished).onComplete(ignored -> allDone.countDown());
      var window = new WindowSnapshots(probe, measureFrom, end);
      // Progress and cost snapshots run on this (main) thread: they never touch an event loop.
      long nextTick = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      boolean done = false;
      while (!done) {
        long wake = Math.min(nextTick, window.nextDue());
        done = allDone.await(Math.max(0, wake - System.nanoTime()), TimeUnit.NANOSECONDS);
        window.takeDue(System.nanoTime(), done);
        if (!done && System.nanoTime() >= nextTick) {
          progress(recorder, t0, measureFrom, end);
          nextTick += TimeUnit.SECONDS.toNanos(1);
        }
      }
      recorder.sample(System.nanoTime());
      RunResult result = result(recorder, kind, open, closedConcurrency, pool, startedAt,
          window.measured());
      return probe == null ? result : result.withCost(window.cost(result.ok()));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      if (probe != null) {
        probe.close();
      }
    }
  }

  private int split(int total, int index) {
    return Math.max(1, total / threads + (index < total % threads ? 1 : 0));
  }

  private void progress(LatencyRecorder recorder, long t0, long measureFrom, long end) {
    long now = System.nanoTime();
    LatencyRecorder.Tick tick = recorder.sample(now);
    if (quiet) {
      return;
    }
    String phase = now < measureFrom ? "warm-up" : now < end ? "measure" : "drain  ";
    var soFar = recorder.latencySoFar();
    String p99 = soFar.getTotalCount() == 0 ? "-"
        : TextReport.ms(soFar.getValueAtPercentile(99)) + " ms";
    System.err.printf(Locale.ROOT, "[%5.1fs %s] %s req/s  errors %d  p99 so far %s%n",
        (now - t0) / 1e9, phase, BenchUnits.grouped(tick.requestsPerSecond()), tick.errors(),
        p99);
  }

  private RunResult result(LatencyRecorder recorder, Workload kind, boolean open, int closedC,
      int pool, String startedAt, RunResult.MeasuredWindow window) {
    var latency = recorder.latencySoFar();
    long requests = latency.getTotalCount();
    long ok = recorder.statusCounts().entrySet().stream()
        .filter(e -> e.getKey().startsWith("2")).mapToLong(e -> e.getValue()).sum();
    double seconds = duration.toNanos() / 1e9;
    var series = recorder.series().stream()
        .map(t -> new RunResult.SeriesPoint(t.elapsedSeconds(), t.requestsPerSecond(),
            t.errors(), t.warmup(), t.p99Us()))
        .toList();
    return new RunResult(
        label != null ? label : kind.name().toLowerCase(Locale.ROOT).replace('_', '-'),
        "LoadGenerator", kind.name().toLowerCase(Locale.ROOT).replace('_', '-'),
        open ? "open" : "closed", url, open ? 0 : closedC, open ? rate : 0, pool,
        warmup.toNanos() / 1e9, seconds, startedAt, RunResult.Machine.current(),
        requests, ok, requests / seconds, ok / seconds,
        RunResult.Percentiles.of(latency), RunResult.Percentiles.of(recorder.serviceTimeSoFar()),
        recorder.statusCounts(), recorder.transportErrorCounts(),
        recorder.non2xxTotal() + recorder.transportErrorTotal(), series,
        RunResult.distributionOf(latency), window, null);
  }
}
