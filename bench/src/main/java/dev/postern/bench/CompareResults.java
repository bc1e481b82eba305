package dev.postern.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Comparison mode: reads the result JSONs of the Postern runs and of the reference runs of one
 * scenario, prints the ratio line and both sides' medians and spread, and writes one HTML with
 * every run's series.
 */
@Command(name = "CompareResults", mixinStandardHelpOptions = true,
    description = "Ratio of median 2xx throughput: postern / reference.")
public final class CompareResults implements Callable<Integer> {

  @Option(names = "--name", required = true, description = "e.g. ping/bare-route")
  String name;

  @Option(names = "--postern", required = true, split = ",", description = "result JSON files")
  List<Path> postern;

  @Option(names = "--reference", required = true, split = ",", description = "result JSON files")
  List<Path> reference;

  @Option(names = "--postern-label", defaultValue = "postern")
  String posternLabel;

  @Option(names = "--reference-label", defaultValue = "reference")
  String referenceLabel;

  @Option(names = "--unit", defaultValue = "req/s", description = "what a throughput counts")
  String unit;

  @Option(names = "--html", description = "comparison chart to write")
  Path html;

  @Option(names = "--summary", description = "append the printed lines to this file")
  Path summary;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CompareResults()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<RunResult> subject = read(postern);
    List<RunResult> base = read(reference);
    RatioSummary ratio = RatioSummary.of(name, posternLabel, subject, referenceLabel, base,
        unit);
    String text = ratio.line() + System.lineSeparator()
        + "  " + ratio.postern().describe(unit) + System.lineSeparator()
        + "  " + ratio.reference().describe(unit) + System.lineSeparator();
    System.out.print(text);
    if (summary != null) {
      Files.writeString(summary, text, java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
    if (html != null) {
      List<RunResult> all = new ArrayList<>();
      for (int i = 0; i < Math.max(subject.size(), base.size()); i++) {
        // A B A B, as the runs were taken.
        if (i < base.size()) {
          all.add(relabel(base.get(i), referenceLabel + " #" + (i + 1)));
        }
        if (i < subject.size()) {
          all.add(relabel(subject.get(i), posternLabel + " #" + (i + 1)));
        }
      }
      Files.writeString(html, HtmlChart.page(ratio.line(), all, unit));
    }
    return 0;
  }

  private static List<RunResult> read(List<Path> files) throws Exception {
    List<RunResult> results = new ArrayList<>();
    for (Path file : files) {
      results.add(ResultJson.readFile(file));
    }
    return results;
  }

  private static RunResult relabel(RunResult r, String label) {
    return new RunResult(label, r.tool(), r.workload(), r.mode(), r.url(), r.concurrency(),
        r.rate(), r.connections(), r.warmupSeconds(), r.measuredSeconds(), r.startedAt(),
        r.machine(), r.requests(), r.ok(), r.throughput(), r.okThroughput(), r.latencyUs(),
        r.serviceTimeUs(), r.statusCounts(), r.transportErrors(), r.errors(), r.series(),
        r.distribution(), r.window(), r.cost());
  }
}
