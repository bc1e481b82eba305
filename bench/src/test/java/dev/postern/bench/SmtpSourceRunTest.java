package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The driver with real commands standing in for smtp-source and the server's store: a file
 * that the "submitting" command appends one line per stored message to, counted by wc -l.
 */
class SmtpSourceRunTest {

  @TempDir
  Path dir;

  private int run(Path store, int storedByCommand, long claimed, Path out) {
    String append = "for i in $(seq 1 " + storedByCommand + "); do echo m >> " + store + "; done";
    return new CommandLine(new SmtpSourceRun()).execute("--command", append,
        "--messages", Long.toString(claimed), "--warmup-command", "echo warm >> " + store,
        "--verify-command", "wc -l < " + store, "--label", "side-1", "--out", out.toString());
  }

  @Test
  void everyMessageStoredGivesAResultWithTheRate() throws Exception {
    Path store = Files.createFile(dir.resolve("store"));
    Path out = dir.resolve("side-1.json");

    assertThat(run(store, 30, 30, out)).isZero();

    RunResult result = ResultJson.readFile(out);
    assertThat(result.ok()).isEqualTo(30);
    assertThat(result.requests()).isEqualTo(30);
    assertThat(result.measuredSeconds()).isPositive();
    assertThat(result.okThroughput()).isEqualTo(30 / result.measuredSeconds());
    assertThat(result.window()).isNotNull();
    assertThat(result.cost()).isNull(); // no --cost-pg-data
  }

  @Test
  void aMessageAcknowledgedButNotStoredFailsTheRunAndWritesNoResult() throws Exception {
    Path store = Files.createFile(dir.resolve("store"));
    Path out = dir.resolve("side-1.json");

    assertThat(run(store, 29, 30, out)).isEqualTo(SmtpSourceRun.STORED_MISMATCH);

    assertThat(out).doesNotExist();
  }

  @Test
  void aFailingCommandFailsTheRun() {
    Path out = dir.resolve("side-1.json");
    int code = new CommandLine(new SmtpSourceRun()).execute("--command", "exit 7",
        "--messages", "10", "--out", out.toString());

    assertThat(code).isNotZero();
    assertThat(out).doesNotExist();
  }
}
