package dev.postern;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.ClosedPort;
import dev.postern.support.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #2's "done when", against the packaged jar as an operator runs it. */
class GatewayProcessIT {

  @TempDir Path work;

  private Map<String, String> embedded(Path dataDir) {
    return Map.of("POSTERN_DATA_DIR", dataDir.toString(), "POSTERN_HTTP_HOST", "127.0.0.1");
  }

  private static void assertNothingLeftRunning(Path dataDir) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!GatewayProcess.processesMentioning(dataDir.toString()).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(GatewayProcess.processesMentioning(dataDir.toString())).isEmpty();
  }

  @Test
  void embeddedDefaultBecomesReadySurvivesRestartAndStopsCleanly() throws Exception {
    Path data = work.resolve("data");
    String firstToken;
    try (GatewayProcess gateway = GatewayProcess.start(work, embedded(data))) {
      gateway.awaitReady(Duration.ofSeconds(120));
      assertThat(gateway.stdout()).contains("generated admin token").contains("applied migration V001");
      firstToken = Files.readString(data.resolve("secrets/admin-token")).trim();
      assertThat(gateway.stdout()).contains(firstToken);
      assertThat(gateway.terminate(Duration.ofSeconds(30))).isZero();
      assertThat(gateway.stderr()).isEmpty();
    }
    assertNothingLeftRunning(data);

    try (GatewayProcess again = GatewayProcess.start(work, embedded(data))) {
      // Once PostgreSQL is unpacked and initialised, start-up is well inside 30 s.
      again.awaitReady(Duration.ofSeconds(30));
      assertThat(again.stdout()).doesNotContain("applied migration").doesNotContain("generated admin token")
          .doesNotContain(firstToken);
      assertThat(Files.readString(data.resolve("secrets/admin-token")).trim()).isEqualTo(firstToken);
      assertThat(again.terminate(Duration.ofSeconds(30))).isZero();
    }
    assertNothingLeftRunning(data);
  }

  @Test
  void afterKillMinus9TheNextStartStopsTheOrphanedPostgresAndRecovers() throws Exception {
    Path data = work.resolve("data");
    try (GatewayProcess gateway = GatewayProcess.start(work, embedded(data))) {
      gateway.awaitReady(Duration.ofSeconds(120));
      gateway.kill();
    }
    // pg_ctl daemonised PostgreSQL, so it outlives the killed JVM.
    assertThat(GatewayProcess.processesMentioning(data.resolve("pg").toString())).isNotEmpty();
    try (GatewayProcess again = GatewayProcess.start(work, embedded(data))) {
      again.awaitReady(Duration.ofSeconds(60));
      assertThat(again.stdout()).contains("left running by a previous gateway process");
      assertThat(again.terminate(Duration.ofSeconds(30))).isZero();
    }
    assertNothingLeftRunning(data);
  }

  @Test
  void invalidPortIsOneClearLineAndNonZeroExit() throws Exception {
    try (GatewayProcess gateway = GatewayProcess.start(work,
        Map.of("POSTERN_DATA_DIR", work.resolve("d").toString(), "POSTERN_HTTP_PORT", "abc",
            "POSTERN_MX_PORT", "99999"))) {
      assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(gateway.stderr().lines()).containsExactly(
          "postern: invalid configuration: http.port (POSTERN_HTTP_PORT): must be an integer, got \"abc\"",
          "postern: invalid configuration: smtp.mx_port (POSTERN_MX_PORT): must be between 0 and 65535, got 99999");
    }
  }

  @Test
  void unreachablePostgresUrlIsOneClearLineAndNonZeroExit() throws Exception {
    try (ClosedPort closed = ClosedPort.hold();
        GatewayProcess gateway = GatewayProcess.start(work, Map.of(
        "POSTERN_DATA_DIR", work.resolve("d").toString(),
        "POSTERN_PG_URL", "postgresql://postern:secret@127.0.0.1:" + closed.port() + "/postern"))) {
      assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(gateway.stderr().lines()).singleElement().asString()
          .startsWith("postern: cannot start: postgres.url (POSTERN_PG_URL): cannot connect to 127.0.0.1:" + closed.port())
          .doesNotContain("secret");
    }
  }
}
