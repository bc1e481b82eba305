package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HotFramesTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  @Test
  void onlySamplesInsideAWindowCountAndTheyRankByTopFrame() {
    var frames = new HotFrames(List.of(new HotFrames.Window(at(10), at(20)),
        new HotFrames.Window(at(40), at(50))), "dev.postern.");
    List<String> parse = List.of("com.fasterxml.Parser.nextToken", "dev.postern.http.Emails.send",
        "io.vertx.Route.handle");
    List<String> commit = List.of("io.vertx.pgclient.Codec.encode",
        "dev.postern.send.OutboundRepository.insert", "dev.postern.send.SubmissionService.accept");
    for (int i = 0; i < 3; i++) {
      frames.add(at(12), "vert.x-eventloop-thread-0", parse);
    }
    frames.add(at(45), "vert.x-eventloop-thread-1", commit);
    frames.add(at(20), "vert.x-worker-thread-3", List.of("java.util.zip.CRC32.update"));
    frames.add(at(5), "vert.x-eventloop-thread-0", commit); // warm-up
    frames.add(at(30), "vert.x-eventloop-thread-0", commit); // the reference's run

    assertThat(frames.samples()).isEqualTo(5);
    assertThat(frames.outside()).isEqualTo(2);
    assertThat(frames.topSelf(2)).containsExactly(
        new HotFrames.Count("com.fasterxml.Parser.nextToken", 3, 0.6),
        new HotFrames.Count("io.vertx.pgclient.Codec.encode", 1, 0.2));
    assertThat(frames.topOwn(3)).containsExactly(
        new HotFrames.Count("dev.postern.http.Emails.send", 3, 0.6),
        new HotFrames.Count("(none of ours on the stack)", 1, 0.2),
        new HotFrames.Count("dev.postern.send.OutboundRepository.insert", 1, 0.2));
    assertThat(frames.threadGroups()).containsExactly(
        new HotFrames.Count("vert.x-eventloop-thread", 4, 0.8),
        new HotFrames.Count("vert.x-worker-thread", 1, 0.2));
  }

  @Test
  void reportNamesTheTopFramesWithTheirShare() {
    var frames = new HotFrames(List.of(new HotFrames.Window(at(0), at(1))), "dev.postern.");
    frames.add(at(0.5), "main", List.of("a.B.c", "dev.postern.X.y"));
    frames.add(at(0.6), "main", List.of());

    String report = frames.report("profile send-small", 15);

    assertThat(report).startsWith("profile send-small: 2 CPU samples in 1 measured window"
        + " (0 outside them ignored)");
    assertThat(report).contains("   50.0%        1  a.B.c").contains("(no stack)")
        .contains("   50.0%        1  dev.postern.X.y").contains("by thread: main 100%");
  }

  @Test
  void threadGroupDropsTheTrailingNumber() {
    assertThat(HotFrames.threadGroup("vert.x-eventloop-thread-12")).isEqualTo(
        "vert.x-eventloop-thread");
    assertThat(HotFrames.threadGroup("postern-delivery #3")).isEqualTo("postern-delivery");
    assertThat(HotFrames.threadGroup("main")).isEqualTo("main");
    assertThat(HotFrames.threadGroup("42")).isEqualTo("42");
  }
}
