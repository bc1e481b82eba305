package dev.postern.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the median cost per message over a scenario's Postern runs (the {@code cost} of each
 * result JSON), one line beside the ratio lines, and writes it as JSON.
 */
@Command(name = "CostReport", mixinStandardHelpOptions = true,
    description = "Median cost per accepted message over runs (commits, WAL, rows, CPU).")
public final class CostReport implements Callable<Integer> {

  @Option(names = "--name", required = true, description = "e.g. send-small")
  String name;

  @Option(names = "--results", required = true, split = ",", description = "result JSON files")
  List<Path> results;

  @Option(names = "--top-tables", defaultValue = "4", description = "tables named in the line")
  int topTables;

  @Option(names = "--summary", description = "append the printed line to this file")
  Path summary;

  @Option(names = "--out", description = "median cost as JSON")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CostReport()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<MessageCost> costs = new ArrayList<>();
    for (Path file : results) {
      costs.add(ResultJson.readFile(file).cost());
    }
    costs.removeIf(Objects::isNull);
    if (costs.isEmpty()) {
      System.err.println("no result carries a cost (was --cost-pg-data given?)");
      return 1;
    }
    MessageCost median = MessageCost.median(costs);
    String text = line(name, median, costs.size(), topTables) + System.lineSeparator();
    System.out.print(text);
    if (summary != null) {
      Files.writeString(summary, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    if (out != null) {
      Files.writeString(out, new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(median));
    }
    return 0;
  }

  static String line(String name, MessageCost median, int runs, int topTables) {
    return median.line(name, topTables) + " — median of " + runs + " run" + (runs == 1 ? "" : "s");
  }
}
