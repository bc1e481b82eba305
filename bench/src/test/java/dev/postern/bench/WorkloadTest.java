package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  private static Workload.Spec spec(String url, String key, long text, long attach, long json) {
    return new Workload.Spec(url, key, "bench@bench.test", List.of("sink@bench.test"), text,
        attach, json);
  }

  @Test
  void sendBodyIsAResendShapedEmailOfTheRequestedSizes() {
    var t = Workload.SEND.template(spec("http://127.0.0.1:9/v1/emails", "k", 2048, 3000, 0));

    JsonObject body = t.body().toJsonObject();
    assertThat(t.method()).isEqualTo(HttpMethod.POST);
    assertThat(t.uri()).isEqualTo("/v1/emails");
    assertThat(t.headers().get("Authorization")).isEqualTo("Bearer k");
    assertThat(body.getString("from")).isEqualTo("bench@bench.test");
    assertThat(body.getString("text")).hasSize(2048);
    assertThat(body.getJsonArray("attachments").getJsonObject(0).getString("content"))
        .hasSize(4000);
  }

  @Test
  void postJsonBodyHasExactlyTheRequestedSize() {
    var t = Workload.POST_JSON.template(spec("http://localhost:9/echo", null, 0, 0, 1024));
    assertThat(t.body().length()).isEqualTo(1024);
    assertThat(t.body().toJsonObject().getString("data")).hasSize(1013);
  }

  @Test
  void pingWithoutAKeyIsRefused() {
    assertThatThrownBy(() -> Workload.PING.template(spec("http://127.0.0.1:9/p", "", 0, 0, 0)))
        .hasMessageContaining("--key");
  }

  @Test
  void onlyLoopbackTargetsAreAccepted() {
    assertThatThrownBy(() -> Workload.GET.template(spec("http://10.0.0.5:80/", null, 0, 0, 0)))
        .hasMessageContaining("non-loopback");
    assertThatThrownBy(() -> LoopbackTarget.require("http://example.com/"))
        .hasMessageContaining("non-loopback");
    assertThat(LoopbackTarget.require("http://127.0.0.1:8080/ping").getPort()).isEqualTo(8080);
  }

  @Test
  void unitsParseAsTheScenariosNameThem() {
    assertThat(BenchUnits.parseBytes("2KB")).isEqualTo(2048);
    assertThat(BenchUnits.parseBytes("200KB")).isEqualTo(204_800);
    assertThat(BenchUnits.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(BenchUnits.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(BenchUnits.grouped(82_700)).isEqualTo("82 700");
  }
}
