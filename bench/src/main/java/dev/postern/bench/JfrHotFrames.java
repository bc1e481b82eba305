package dev.postern.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The accept path's profile: reads a JFR recording of the gateway (run.sh --profile) and ranks
 * the {@code jdk.ExecutionSample} events (Java threads sampled while running Java code, every
 * 10 ms per thread with settings=profile) of the measured windows of the given results. JDK 17's
 * {@code jfr} tool has no {@code view hot-methods} (that came with JDK 21), hence this.
 */
@Command(name = "JfrHotFrames", mixinStandardHelpOptions = true,
    description = "Top frames by CPU samples of a JFR recording, within measured windows.")
public final class JfrHotFrames implements Callable<Integer> {

  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

  @Option(names = "--recording", required = true, description = "the .jfr file")
  Path recording;

  @Option(names = "--results", split = ",",
      description = "result JSONs whose measured windows count (default: the whole recording)")
  List<Path> results = List.of();

  @Option(names = "--top", defaultValue = "15")
  int top;

  @Option(names = "--own-prefix", defaultValue = "dev.postern.",
      description = "class-name prefix of the gateway's own code")
  String ownPrefix;

  @Option(names = "--title", defaultValue = "profile")
  String title;

  public static void main(String[] args) {
    System.exit(new CommandLine(new JfrHotFrames()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<HotFrames.Window> windows = new ArrayList<>();
    for (Path file : results) {
      RunResult.MeasuredWindow w = ResultJson.readFile(file).window();
      if (w == null) {
        throw new IllegalArgumentException(file + " has no measured window");
      }
      windows.add(new HotFrames.Window(Instant.parse(w.from()), Instant.parse(w.until())));
    }
    if (windows.isEmpty()) {
      windows.add(new HotFrames.Window(Instant.MIN, Instant.MAX));
    }
    HotFrames frames = summarise(recording, windows, ownPrefix);
    System.out.print(frames.report(title, top));
    return frames.samples() == 0 ? 1 : 0;
  }

  static HotFrames summarise(Path recording, List<HotFrames.Window> windows, String ownPrefix)
      throws Exception {
    HotFrames frames = new HotFrames(windows, ownPrefix);
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals(EXECUTION_SAMPLE)) {
          continue;
        }
        RecordedThread thread = event.getThread("sampledThread");
        frames.add(event.getStartTime(), thread == null ? null : thread.getJavaName(),
            names(event.getStackTrace()));
      }
    }
    return frames;
  }

  private static List<String> names(RecordedStackTrace stack) {
    if (stack == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>(stack.getFrames().size());
    for (RecordedFrame f : stack.getFrames()) {
      names.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
    }
    return names;
  }
}
