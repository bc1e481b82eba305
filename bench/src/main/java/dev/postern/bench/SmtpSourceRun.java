package dev.postern.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One side of {@code smtp-accept} (bench/README.md): times a command that submits a known
 * number of messages over SMTP ({@code smtp-source -d -s 20 ... -m N host:port}) and checks that
 * the server under test really stored every one of them.
 *
 * <p>Both sides, Postern's LAN shim and Postfix's smtpd, are timed by this same code: from just
 * before the command starts to just after it exits (smtp-source has seen every 250 then).
 * msg/s = {@code --messages} / that time. The command must exit 0: smtp-source aborts on any
 * reply other than the expected positive one.
 *
 * <p>{@code --tls-port} replaces the command with {@link SmtpTlsLoad} (implicit TLS + AUTH, which
 * smtp-source cannot do), timed, counted and costed the same way.
 *
 * <p>Stored count: {@code --verify-sql} (a query on the gateway's database through the cost
 * probe's connection, e.g. {@code SELECT count(*) FROM outbound_messages WHERE source = 'smtp'})
 * or {@code --verify-command} (a shell command printing a number, e.g. Postfix's held queue
 * files) is read before and after the measured run; a growth other than {@code --messages}
 * fails the run (exit 3) with the figures, and no result is written.
 *
 * <p>mx-accept: {@code --backlog-sql} (the deliveries accepted but not yet filed) is read right
 * after the run and polled until zero ({@link FilingBacklog}); {@code --filed-sql} (the filed
 * messages) must then have grown by {@code --messages} too, or the run fails (exit 3).
 * {@code --filed-out} gets a second result: first submission → last filing, its throughput and
 * its cost (accepting and filing together).
 */
@Command(name = "SmtpSourceRun", mixinStandardHelpOptions = true,
    description = "Times an SMTP submitting command (smtp-source) and checks every message was stored.")
public final class SmtpSourceRun implements Callable<Integer> {

  static final int STORED_MISMATCH = 3;

  @Option(names = "--command",
      description = "shell command submitting --messages messages (smtp-source ... host:port)")
  String command;

  /**
   * Instead of a command: {@link SmtpTlsLoad}, implicit TLS + AUTH PLAIN with {@code --key}, over
   * {@code --sessions} connections, {@code --size} payload, {@code --warmup-messages} first.
   */
  @Option(names = "--tls-port", description = "in-process TLS+AUTH load on this SMTPS port")
  Integer tlsPort;

  @Option(names = "--tls-host", defaultValue = "127.0.0.1")
  String tlsHost;

  @Option(names = "--key", defaultValue = "${env:POSTERN_BENCH_KEY}", description = "AUTH password")
  String key;

  @Option(names = "--user", defaultValue = "postern", description = "AUTH username")
  String user;

  @Option(names = "--from", defaultValue = "bench@bench.test")
  String from;

  @Option(names = "--to", defaultValue = "sink@sink.test")
  String to;

  @Option(names = "--size", defaultValue = "2048", converter = BenchUnits.Bytes.class,
      description = "--tls-port: payload bytes after the headers (smtp-source's -l)")
  long size;

  @Option(names = "--warmup-messages", defaultValue = "0", description = "--tls-port warm-up")
  long warmupMessages;

  @Option(names = "--messages", required = true, description = "messages the command submits")
  long messages;

  @Option(names = "--warmup-command", description = "run first, not timed, not verified")
  String warmupCommand;

  @Option(names = "--sessions", defaultValue = "20", description = "smtp-source's -s, recorded")
  int sessions;

  @Option(names = "--workload", defaultValue = "smtp 2048 bytes")
  String workload;

  @Option(names = "--url", description = "the target, recorded (smtp://127.0.0.1:port)")
  String url;

  @Option(names = "--label", defaultValue = "smtp")
  String label;

  @Option(names = "--out", description = "result JSON")
  java.nio.file.Path out;

  @Option(names = "--verify-sql",
      description = "query counting the stored messages in the gateway's database (needs --cost-pg-data)")
  String verifySql;

  @Option(names = "--verify-command", description = "shell command printing the stored count")
  String verifyCommand;

  @Option(names = "--backlog-sql",
      description = "query counting deliveries accepted but not yet filed: time their drain (needs --cost-pg-data)")
  String backlogSql;

  @Option(names = "--filed-sql", description = "with --backlog-sql: query counting the filed messages")
  String filedSql;

  @Option(names = "--filed-out", description = "with --backlog-sql: result JSON of accept + filing")
  java.nio.file.Path filedOut;

  @Option(names = "--drain-out",
      description = "with --backlog-sql: JSON of the drain (backlog, seconds, rates)")
  java.nio.file.Path drainOut;

  @Option(names = "--drain-stall", defaultValue = "120",
      description = "seconds without filing progress after which the drain fails")
  double drainStall;

  /** With {@code --cost-pg-data}: the cost per message of the measured run. */
  @CommandLine.Mixin
  CostProbeOptions cost = new CostProbeOptions();

  public static void main(String[] args) {
    System.exit(new CommandLine(new SmtpSourceRun()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (messages <= 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--messages must be > 0");
    }
    if ((command == null) == (tlsPort == null)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "use --command or --tls-port");
    }
    if (tlsPort != null && (key == null || key.isBlank())) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--tls-port needs --key");
    }
    if ((verifySql != null || backlogSql != null || filedSql != null) && !cost.enabled()) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--verify-sql, --backlog-sql and --filed-sql read through the cost probe: give"
              + " --cost-pg-data and --cost-gateway-pid");
    }
    SmtpTlsLoad tls = tlsPort == null ? null : new SmtpTlsLoad(tlsHost, tlsPort, user, key, from,
        to, sessions, Math.toIntExact(size));
    if (warmupCommand != null) {
      run(warmupCommand);
    }
    if (tls != null && warmupMessages > 0) {
      tls.submit(warmupMessages);
    }
    CostProbe probe = cost.open();
    try (tls) {
      if (backlogSql != null) { // the warm-up's messages are filed before the measured run
        FilingBacklog.drain(() -> probe.count(backlogSql), drainStall);
      }
      long countBefore = count(probe);
      long filedBefore = filedSql == null ? 0 : probe.count(filedSql);
      CostSnapshot before = probe == null ? null : probe.snapshot();
      String startedAt = Instant.now().toString();
      long t0 = System.nanoTime();
      if (tls != null) {
        tls.submit(messages);
      } else {
        run(command);
      }
      long t1 = System.nanoTime();
      String endedAt = Instant.now().toString();
      CostSnapshot after = probe == null ? null : probe.snapshot();
      long countAfter = count(probe);

      double seconds = (t1 - t0) / 1e9;
      double rate = messages / seconds;
      String verified = "";
      if (verifySql != null || verifyCommand != null) {
        var stored = new StoredMessages(countBefore, countAfter);
        String mismatch = stored.mismatch(messages);
        if (mismatch != null) {
          System.err.println("[smtp] " + label + " FAILED: " + mismatch + "; checked with "
              + (verifySql != null ? verifySql : verifyCommand));
          return STORED_MISMATCH;
        }
        verified = ", all " + BenchUnits.grouped(stored.stored()) + " stored (checked)";
      }
      System.out.printf(Locale.ROOT, "%s  %s: %s messages in %.1f s: %s msg/s%s%n", label,
          workload, BenchUnits.grouped(messages), seconds, BenchUnits.grouped(rate), verified);
      MessageCost messageCost = probe == null ? null
          : MessageCost.between(before, after, messages, CostProbe.PROBE_COMMITS_PER_WINDOW);
      if (messageCost != null) {
        System.out.println("  " + messageCost.line(label, 4));
      }
      if (backlogSql != null) {
        Integer failed = drained(probe, before, t0, startedAt, filedBefore, rate);
        if (failed != null) {
          return failed;
        }
      }
      String tool = tls != null ? "SmtpTlsLoad -s " + sessions : "smtp-source -d -s " + sessions;
      String target = url != null ? url : tls != null ? "smtps://" + tlsHost + ":" + tlsPort
          : command;
      var result = new RunResult(label, tool, workload, "closed", target, sessions, 0, sessions, 0,
          seconds, startedAt, RunResult.Machine.current(), messages, messages, rate, rate, null, null, Map.of(),
          Map.of(), 0, null, null, new RunResult.MeasuredWindow(startedAt, endedAt), messageCost);
      if (out != null) {
        ResultJson.writeFile(result, out);
      }
      return 0;
    } finally {
      if (probe != null) {
        probe.close();
      }
    }
  }

  /**
   * Times the filing backlog's drain, checks every accepted message was filed, prints the drain
   * line and writes {@code --filed-out}. Null when all is well, else the exit code.
   */
  private Integer drained(CostProbe probe, CostSnapshot before, long t0, String startedAt,
      long filedBefore, double acceptRate) throws Exception {
    FilingBacklog.Drain drain = FilingBacklog.drain(() -> probe.count(backlogSql), drainStall);
    CostSnapshot after = probe.snapshot();
    String endedAt = Instant.now().toString();
    if (filedSql != null) {
      String mismatch = new StoredMessages(filedBefore, probe.count(filedSql)).mismatch(messages);
      if (mismatch != null) {
        System.err.println("[smtp] " + label + " FAILED filing: " + mismatch.replace("stored",
            "filed") + "; checked with " + filedSql);
        return STORED_MISMATCH;
      }
    }
    double seconds = (drain.drainedNanos() - t0) / 1e9;
    double pipelineRate = messages / seconds;
    System.out.println(drain.line(label, acceptRate, pipelineRate));
    if (filedOut != null) {
      MessageCost filedCost = MessageCost.between(before, after, messages,
          CostProbe.PROBE_COMMITS_PER_WINDOW);
      System.out.println("  " + filedCost.line(label + " accept+filing", 4));
      var result = new RunResult(label + "-filed", "smtp-source -d -s " + sessions,
          workload + ", accepted and filed", "closed", url != null ? url : command, sessions, 0,
          sessions, 0, seconds, startedAt, RunResult.Machine.current(), messages, messages,
          pipelineRate, pipelineRate, null, null, Map.of(), Map.of(), 0, null, null,
          new RunResult.MeasuredWindow(startedAt, endedAt), filedCost);
      ResultJson.writeFile(result, filedOut);
    }
    if (drainOut != null) {
      java.nio.file.Files.writeString(drainOut, String.format(Locale.ROOT, "{\"label\": \"%s\","
          + " \"backlog\": %d, \"drain_seconds\": %.3f, \"drain_rate\": %.1f,"
          + " \"accept_rate\": %.1f, \"pipeline_rate\": %.1f, \"kept_up\": %b}%n", label,
          drain.backlog(), drain.seconds(), drain.rate(), acceptRate, pipelineRate,
          drain.keptUp() || drain.rate() >= acceptRate));
    }
    return null;
  }

  /** The stored count now (0 when nothing is verified). */
  private long count(CostProbe probe) throws Exception {
    if (verifySql != null) {
      return probe.count(verifySql);
    }
    if (verifyCommand != null) {
      return StoredMessages.parseCount(output(verifyCommand));
    }
    return 0;
  }

  private static void run(String shellCommand) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", shellCommand).inheritIO().start();
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException("exit " + code + ": " + shellCommand);
    }
  }

  private static String output(String shellCommand) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", shellCommand)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String text;
    try (var in = p.getInputStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (p.waitFor() != 0) {
      throw new IOException("exit " + p.exitValue() + ": " + shellCommand);
    }
    return text;
  }
}
