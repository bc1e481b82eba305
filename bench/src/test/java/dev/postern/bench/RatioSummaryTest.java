package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatioSummaryTest {

  @Test
  void ratioIsTheQuotientOfMediansAndPrintsGroupedFigures() {
    var summary = RatioSummary.of("ping/bare-route",
        "postern", runs(60_000, 61_200, 62_000),
        "reference", runs(85_000, 82_700, 80_000));

    assertThat(summary.ratio()).isCloseTo(61_200.0 / 82_700.0, within(1e-9));
    assertThat(summary.line()).isEqualTo(
        "ratio ping/bare-route: 0.74 (postern 61 200 req/s, reference 82 700 req/s)");
  }

  @Test
  void unitNamesWhatIsCounted() {
    var summary = RatioSummary.of("e2e-relay/postfix", "postern", runs(1_600),
        "postfix", runs(535), "msg/s");

    assertThat(summary.line()).isEqualTo(
        "ratio e2e-relay/postfix: 2.99 (postern 1 600 msg/s, postfix 535 msg/s)");
    assertThat(summary.postern().describe("msg/s")).startsWith("postern    median 1 600 msg/s over 1 runs");
  }

  @Test
  void medianOfAnEvenCountAveragesTheMiddlePair() {
    assertThat(RatioSummary.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(RatioSummary.median(List.of(7.0))).isEqualTo(7.0);
  }

  @Test
  void spreadIsMinToMaxOverTheMedian() {
    var side = RatioSummary.Side.of("reference", runs(90, 100, 110));

    assertThat(side.min()).isEqualTo(90);
    assertThat(side.max()).isEqualTo(110);
    assertThat(side.spread()).isCloseTo(0.2, within(1e-9));
    assertThat(side.p99Ms()).isNull();
  }

  private static List<RunResult> runs(double... okThroughputs) {
    return java.util.Arrays.stream(okThroughputs)
        .mapToObj(t -> new RunResult("r", "test", "ping", "closed", "", 64, 0, 64, 0, 1, "",
            null, 0, 0, t, t, null, null, null, null, 0, null, null, null, null))
        .toList();
  }
}
