package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ResultJsonTest {

  @Test
  void resultRoundTripsThroughJson() throws Exception {
    Histogram h = new Histogram(3_600_000_000L, 3);
    for (long v = 100; v <= 100_000; v += 100) {
      h.recordValue(v);
    }
    RunResult original = new RunResult("postern", "LoadGenerator", "ping", "open",
        "http://127.0.0.1:8080/v1/emails/_ping", 0, 2000.0, 64, 10.0, 30.0,
        "2026-11-22T07:30:00Z", RunResult.Machine.current(), 60_000, 59_990, 2000.0, 1999.67,
        RunResult.Percentiles.of(h), RunResult.Percentiles.of(h),
        new TreeMap<>(Map.of("200", 59_990L, "503", 10L)), new TreeMap<>(Map.of("timeout", 2L)),
        12, List.of(new RunResult.SeriesPoint(1.0, 1999.5, 0, true, 0),
            new RunResult.SeriesPoint(11.0, 2001.25, 3, false, 4200)),
        RunResult.distributionOf(h),
        new RunResult.MeasuredWindow("2026-11-22T07:30:10.2Z", "2026-11-22T07:30:40.2Z"),
        new MessageCost(20_000, 30.0, 3.3, 6246.4, 9.4,
            List.of(new MessageCost.TableCost("delivery_queue", 1, 3.35, 3.0, 1)), 0.38, 1.2,
            0.3, 0.36, 1.26, 0.3));

    RunResult read = ResultJson.read(ResultJson.write(original));

    assertThat(read).isEqualTo(original);
    assertThat(read.distribution()).isNotEmpty();
    assertThat(read.distribution().get(read.distribution().size() - 1).percentile())
        .isEqualTo(100.0);
  }

  @Test
  void jsonUsesSnakeCaseKeysForJq() throws Exception {
    RunResult r = ResultJson.read("{\"label\":\"postfix\",\"ok_throughput\":650.5}");
    assertThat(ResultJson.write(r)).contains("\"ok_throughput\" : 650.5");
  }

  @Test
  void throughputOnlyResultOfAnExternalToolIsReadable() throws Exception {
    String jq = "{\"label\":\"postfix\",\"tool\":\"smtp-source\",\"requests\":2000,"
        + "\"ok\":2000,\"throughput\":640.2,\"ok_throughput\":640.2,\"measured_seconds\":3.12}";

    RunResult r = ResultJson.read(jq);

    assertThat(r.okThroughput()).isEqualTo(640.2);
    assertThat(r.hasLatency()).isFalse();
    assertThat(HtmlChart.page("x", List.of(r))).contains("<svg");
  }
}
