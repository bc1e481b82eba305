package dev.postern.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end relay throughput (BENCHMARKS.md {@code e2e-relay}): messages per second from the
 * first submission to the moment an {@code smtp-sink} has received every accepted message.
 *
 * <p>Postern side ({@code -u}): REST sends at a fixed concurrency for {@code --duration}; the
 * accepted (2xx) messages are counted, then the sink is watched until it has that many more
 * than before. Reference side ({@code --command}): a command (smtp-source into Postfix, which
 * relays to the same sink) submits {@code --messages}, and the sink is watched the same way.
 * Both sides are timed by the same code, from the first submission to the last arrival, so
 * queueing inside the system (Postern's delivery queue, Postfix's queue) counts in full.
 *
 * <p>A warm-up (REST: {@code --warmup} of load; command: {@code --warmup-command}) is sent and
 * drained first, so the measured phase starts with an empty queue and warm JITs. On the REST
 * side, with the gateway's pid known ({@code --cost-gateway-pid} or {@code --warmup-jit-pid}),
 * the round (load, then drain) repeats until the gateway's JIT is quiet ({@link JitWarmup}).
 */
@Command(name = "E2eRelay", mixinStandardHelpOptions = true,
    description = "Messages/s from first submission to arrival of all of them at smtp-sink.")
public final class E2eRelay implements Callable<Integer> {

  @Option(names = "--sink-counter", required = true,
      description = "file receiving the stdout of `smtp-sink -c`")
  Path sinkCounter;

  @Option(names = "--label", defaultValue = "e2e")
  String label;

  @Option(names = "--out", description = "result JSON (an HTML chart is written beside it)")
  Path out;

  @Option(names = "--drain-timeout", defaultValue = "120s", converter = BenchUnits.Time.class,
      description = "give up when the sink got nothing new for this long")
  Duration drainTimeout;

  @Option(names = {"-u", "--url"}, description = "REST side: Postern's /v1/emails")
  String url;

  @Option(names = "--key", defaultValue = "${env:POSTERN_BENCH_KEY}")
  String key;

  @Option(names = {"-c", "--concurrency"}, defaultValue = "64")
  int concurrency;

  @Option(names = "--warmup", defaultValue = "10s", converter = BenchUnits.Time.class)
  Duration warmup;

  @Option(names = "--duration", defaultValue = "30s", converter = BenchUnits.Time.class)
  Duration duration;

  @Option(names = "--size", defaultValue = "2KB", converter = BenchUnits.Bytes.class)
  long textBytes;

  @Option(names = "--attach", defaultValue = "0", converter = BenchUnits.Bytes.class)
  long attachBytes;

  @Option(names = "--from", defaultValue = "bench@bench.test")
  String from;

  @Option(names = "--to", defaultValue = "sink@sink.test",
      description = "one recipient: the sink counts transactions, not recipients")
  String to;

  @Option(names = "--command", description = "reference side: shell command submitting --messages")
  String command;

  @Option(names = "--messages", description = "messages the command submits")
  long messages;

  @Option(names = "--warmup-command")
  String warmupCommand;

  @Option(names = "--warmup-messages")
  long warmupMessages;

  /**
   * REST side only: with {@code --cost-pg-data}, the result carries Postern's cost per message
   * from the first submission of the measured phase until every message is at the sink (and
   * half a second more, for the last outcomes to commit).
   */
  @CommandLine.Mixin
  CostProbeOptions cost = new CostProbeOptions();

  /** REST side: the warm-up repeats until the gateway's JIT is quiet (its pid: the cost's). */
  @CommandLine.Mixin
  JitWarmup jitWarmup = new JitWarmup();

  public static void main(String[] args) {
    System.exit(new CommandLine(new E2eRelay()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if ((url == null) == (command == null)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "use -u or --command");
    }
    if (command != null && messages <= 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--command needs --messages");
    }
    var sink = new SinkCounter(sinkCounter);
    RunResult result = url != null ? rest(sink) : reference(sink);
    if (result.cost() != null) {
      System.out.println("  " + result.cost().line(label, 4));
    }
    if (out != null) {
      ResultJson.writeFile(result, out);
      Path html = out.resolveSibling(out.getFileName().toString().replaceAll("\\.json$", "")
          + ".html");
      Files.writeString(html, HtmlChart.page(result.label() + " (arrivals at the sink)",
          List.of(result), "msg/s"));
      System.out.println("  result         " + out + "  chart " + html);
    }
    return 0;
  }

  private RunResult rest(SinkCounter sink) throws Exception {
    JitWarmup jit = jitWarmup.watching(cost.gatewayPid);
    if (warmup.toNanos() > 0) {
      jit.run("e2e", 1, () -> {
        try (var watch = new ArrivalWatch(sink)) {
          RunResult accept = generator(warmup, label + "-warmup").execute();
          long loadEnd = System.nanoTime();
          long t1 = watch.awaitCount(watch.initial() + accept.ok(), drainTimeout);
          return String.format(Locale.ROOT, "%s accepted, all at the sink %.1f s after the load"
              + " ended", BenchUnits.grouped(accept.ok()), Math.max(0, t1 - loadEnd) / 1e9);
        }
      });
    }
    String startedAt = Instant.now().toString();
    CostProbe probe = cost.open();
    JitWarmup.Mark measuredFrom = jit.mark();
    try (var watch = new ArrivalWatch(sink)) {
      long c0 = watch.initial();
      LoadGenerator gen = generator(duration, label + "-accept");
      CostSnapshot before = probe == null ? null : probe.snapshot();
      RunResult accept = gen.execute();
      long loadEnd = System.nanoTime();
      long t0 = gen.lastStartNanos;
      System.out.print(TextReport.of(accept));
      if (out != null) {
        ResultJson.writeFile(accept, out.resolveSibling(
            out.getFileName().toString().replaceAll("\\.json$", "") + "-accept.json"));
      }
      long accepted = accept.ok();
      long t1 = watch.awaitCount(c0 + accepted, drainTimeout);
      System.err.printf(Locale.ROOT, "[e2e] JIT compilers in the measured phase: %s%n",
          JitWarmup.describe(jit.coresSince(measuredFrom)));
      MessageCost messageCost = null;
      if (probe != null) {
        Thread.sleep(500);
        messageCost = MessageCost.between(before, probe.snapshot(), accepted,
            CostProbe.PROBE_COMMITS_PER_WINDOW);
      }
      RunResult result = finish(watch, "e2e send " + size(textBytes)
              + (attachBytes > 0 ? " + " + size(attachBytes) + " attachment" : "")
              + " via REST", url, concurrency, startedAt, t0, loadEnd, t1, c0, accepted,
          accept.statusCounts(), accept.transportErrors(), accept.errors());
      return result.withCost(messageCost);
    } finally {
      if (probe != null) {
        probe.close();
      }
    }
  }

  private LoadGenerator generator(Duration length, String name) {
    var gen = new LoadGenerator();
    gen.workload = "send";
    gen.url = url;
    gen.key = key;
    gen.concurrency = concurrency;
    gen.threads = 1;
    // Everything sent counts: the sink must see every accepted message, warm or not.
    gen.warmup = Duration.ZERO;
    gen.duration = length;
    gen.timeout = Duration.ofSeconds(10);
    gen.from = from;
    gen.to = List.of(to);
    gen.textBytes = textBytes;
    gen.attachBytes = attachBytes;
    gen.jsonBytes = 0;
    gen.label = name;
    return gen;
  }

  private RunResult reference(SinkCounter sink) throws Exception {
    if (warmupCommand != null) {
      try (var watch = new ArrivalWatch(sink)) {
        run(warmupCommand);
        watch.awaitCount(watch.initial() + warmupMessages, drainTimeout);
        System.err.printf(Locale.ROOT, "[e2e] warm-up: %s messages at the sink%n",
            BenchUnits.grouped(warmupMessages));
      }
    }
    String startedAt = Instant.now().toString();
    try (var watch = new ArrivalWatch(sink)) {
      long c0 = watch.initial();
      long t0 = System.nanoTime();
      run(command);
      long loadEnd = System.nanoTime();
      long t1 = watch.awaitCount(c0 + messages, drainTimeout);
      return finish(watch, "e2e " + command.split("\\s+")[0], command, 0, startedAt, t0, loadEnd,
          t1, c0, messages, Map.of(), Map.of(), 0);
    }
  }

  private static String size(long bytes) {
    return bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " B";
  }

  private static void run(String shellCommand) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", shellCommand).inheritIO().start();
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException("exit " + code + ": " + shellCommand);
    }
  }

  private RunResult finish(ArrivalWatch watch, String workload, String target, int c,
      String startedAt, long t0, long loadEnd, long t1, long c0, long submitted,
      Map<String, Long> statuses, Map<String, Long> transportErrors, long errors)
      throws Exception {
    // Anything beyond the submitted count after a short settle is a duplicate or a message
    // whose 2xx the generator never saw (timeout): reported, not counted.
    Thread.sleep(500);
    long extra = watch.latest() - c0 - submitted;
    double seconds = (t1 - t0) / 1e9;
    double rate = submitted / seconds;
    System.out.printf(Locale.ROOT, "%s  %s: %s messages submitted in %.1f s (%s msg/s), all at the"
            + " sink %.1f s after the first submission: %s msg/s end to end%s%n", label, workload,
        BenchUnits.grouped(submitted), (loadEnd - t0) / 1e9,
        BenchUnits.grouped(submitted / ((loadEnd - t0) / 1e9)), seconds, BenchUnits.grouped(rate),
        extra > 0 ? "  (" + extra + " more arrived than were accepted)" : "");
    return new RunResult(label, "E2eRelay", workload, "closed", target, c, 0, c, 0, seconds,
        startedAt, RunResult.Machine.current(), submitted, submitted, rate, rate, null, null,
        statuses, transportErrors, errors, watch.series(t0, t1), null,
        new RunResult.MeasuredWindow(wall(t0), wall(t1)), null);
  }

  /** A System.nanoTime value as a wall-clock instant (ISO-8601). */
  private static String wall(long nanoTime) {
    return Instant.now().plusNanos(nanoTime - System.nanoTime()).toString();
  }
}
