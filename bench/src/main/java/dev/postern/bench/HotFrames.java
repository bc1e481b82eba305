package dev.postern.bench;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts CPU samples (stack traces, top frame first) that fall in measured windows: by the
 * frame on top (where the CPU was), by the nearest frame of our own code on the stack (which of
 * our methods the time was spent under), and by thread group. Samples outside every window
 * (warm-up, the reference's runs, idle time) are ignored.
 */
final class HotFrames {

  /** A measured window, both ends inclusive. */
  record Window(Instant from, Instant until) {
    boolean contains(Instant t) {
      return !t.isBefore(from) && !t.isAfter(until);
    }
  }

  /** One line of a ranking: what, how many samples, share of all samples in the windows. */
  record Count(String name, long samples, double share) {}

  private final List<Window> windows;
  private final String ownPrefix;
  private final Map<String, Long> self = new HashMap<>();
  private final Map<String, Long> own = new HashMap<>();
  private final Map<String, Long> threads = new HashMap<>();
  private long samples;
  private long outside;

  /** {@code ownPrefix}: class-name prefix of "our" code, e.g. {@code dev.postern.}. */
  HotFrames(List<Window> windows, String ownPrefix) {
    this.windows = List.copyOf(windows);
    this.ownPrefix = ownPrefix;
  }

  /** @param frames {@code Class.method} names, the top (executing) frame first */
  void add(Instant time, String thread, List<String> frames) {
    if (windows.stream().noneMatch(w -> w.contains(time))) {
      outside++;
      return;
    }
    samples++;
    threads.merge(threadGroup(thread), 1L, Long::sum);
    if (frames.isEmpty()) {
      self.merge("(no stack)", 1L, Long::sum);
      return;
    }
    self.merge(frames.get(0), 1L, Long::sum);
    frames.stream().filter(f -> f.startsWith(ownPrefix)).findFirst()
        .ifPresentOrElse(f -> own.merge(f, 1L, Long::sum),
            () -> own.merge("(none of ours on the stack)", 1L, Long::sum));
  }

  long samples() {
    return samples;
  }

  long outside() {
    return outside;
  }

  List<Count> topSelf(int n) {
    return top(self, n);
  }

  List<Count> topOwn(int n) {
    return top(own, n);
  }

  List<Count> threadGroups() {
    return top(threads, Integer.MAX_VALUE);
  }

  /** "vert.x-eventloop-thread-1" and "-0" are one group: the trailing number is dropped. */
  static String threadGroup(String thread) {
    String group = thread == null ? "(unknown)" : thread.replaceAll("[-_#\\s]*\\d+$", "");
    return group.isEmpty() ? thread : group;
  }

  private List<Count> top(Map<String, Long> counts, int n) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(n)
        .map(e -> new Count(e.getKey(), e.getValue(), samples == 0 ? 0 : (double) e.getValue()
            / samples))
        .toList();
  }

  /** The human report: top frames by self samples, our nearest frames, thread groups. */
  String report(String title, int topN) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s: %s CPU samples in %d measured window%s"
            + " (%s outside them ignored)%n", title, BenchUnits.grouped(samples), windows.size(),
        windows.size() == 1 ? "" : "s", BenchUnits.grouped(outside)));
    out.append(String.format(Locale.ROOT, "  top %d frames by CPU samples (self: the frame"
        + " executing):%n", topN));
    topSelf(topN).forEach(c -> out.append(row(c)));
    out.append(String.format(Locale.ROOT, "  top %d of our frames (nearest %s* frame on the"
        + " stack, the time spent under it):%n", topN, ownPrefix));
    topOwn(topN).forEach(c -> out.append(row(c)));
    out.append("  by thread:");
    threadGroups().stream().sorted(Comparator.comparingLong(Count::samples).reversed())
        .forEach(c -> out.append(String.format(Locale.ROOT, " %s %.0f%%,", c.name(),
            c.share() * 100)));
    out.setLength(out.length() - (out.charAt(out.length() - 1) == ',' ? 1 : 0));
    out.append(System.lineSeparator());
    return out.toString();
  }

  private static String row(Count c) {
    return String.format(Locale.ROOT, "    %5.1f%%  %7s  %s%n", c.share() * 100,
        BenchUnits.grouped(c.samples()), c.name());
  }
}
